"""`claude-analytics prepare`: the dbt manifest Dagster loads, parsed ahead of the first run."""

from __future__ import annotations

import typer
from rich.console import Console

from claude_analytics.core.config import export_for_subprocesses, load_settings

console = Console()


def prepare() -> None:
    """Parse the dbt project so Dagster can load its manifest (done once per change)."""
    from claude_analytics.defs.transform.dbt_project import dbt_project

    # The profile renders DUCKDB_PATH: parsing with the pipeline's own value lets the first
    # run reuse this parse (dbt re-parses everything when the profile differs).
    export_for_subprocesses(load_settings())
    project = dbt_project()
    project.preparer.prepare(project)
    console.print(f"dbt manifest ready at {project.manifest_path}")


def register(app: typer.Typer) -> None:
    app.command("prepare")(prepare)
