"""`claude-analytics prepare`: the dbt manifest Dagster loads, parsed ahead of the first run."""

from __future__ import annotations

import typer
from rich.console import Console

from claude_analytics.core.config import load_settings

console = Console()


def prepare() -> None:
    """Parse the dbt project so Dagster can load its manifest (done once per change)."""
    from claude_analytics.defs.resources import dbt_resource
    from claude_analytics.defs.transform.dbt_project import dbt_project, prepare_manifest

    # The profile renders the warehouse path: parsing with the pipeline's own dbt resource
    # (its `--vars`) lets the first run reuse this parse (dbt re-parses everything when the
    # profile differs).
    project = dbt_project()
    with dbt_resource(load_settings()).process_config_and_initialize_cm() as dbt:
        prepare_manifest(project, dbt)
    console.print(f"dbt manifest ready at {project.manifest_path}")


def register(app: typer.Typer) -> None:
    app.command("prepare")(prepare)
