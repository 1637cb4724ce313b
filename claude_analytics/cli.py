"""`claude-analytics`: run the platform, generate sample data, inspect results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from claude_analytics.commands import backup as ops_backup
from claude_analytics.commands import doctor as ops_doctor
from claude_analytics.commands import jobs as ops_jobs
from claude_analytics.commands import run as ops_run
from claude_analytics.commands import status as ops_status
from claude_analytics.commands.report import report
from claude_analytics.core.config import load_settings
from claude_analytics.core.sources.sample.generator import (
    DEFAULT_DAYS,
    DEFAULT_SEED,
    DEFAULT_START,
    SampleSpec,
    generate,
)

app = typer.Typer(
    help="Claude Code conversation analytics on Dagster, Iceberg, DuckDB and dbt.",
    no_args_is_help=True,
)
console = Console()
app.command()(report)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder to write the transcripts into.")],
    entries: Annotated[int, typer.Option(help="Exact number of entries to write.")] = 2_000,
    seed: Annotated[int, typer.Option(help="Same seed, byte-identical files.")] = DEFAULT_SEED,
    days: Annotated[int, typer.Option(help="Days the sessions are spread over.")] = DEFAULT_DAYS,
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")] = DEFAULT_START.isoformat(),
) -> None:
    """Write realistic, deterministic Claude Code transcripts in the on-disk layout."""
    from datetime import date

    summary = generate(
        out, SampleSpec(entries=entries, seed=seed, start=date.fromisoformat(start), days=days)
    )
    console.print(f"Wrote {summary.entries} entries in {summary.files} files under {out}")
    for kind, count in summary.by_type.items():
        console.print(f"  {kind:<24} {count}")


@app.command()
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


@app.command("sync")
def sync_command(
    directory: Annotated[
        Path, typer.Argument(help="A Claude Code projects folder (e.g. ~/.claude/projects).")
    ],
    batch_size: Annotated[int, typer.Option(help="Lines per insert.")] = 1_000,
) -> None:
    """Load a JSONL directory into the MongoDB collection (MONGO_URI); re-syncs add nothing."""
    from claude_analytics.commands.mongo_sync import sync

    sync(directory.expanduser(), batch_size, console)


def _register_commands() -> None:
    """Commands implemented in their own modules (claude_analytics/commands/)."""
    from claude_analytics.commands.dead_letters import dead_letters

    app.command("dead-letters")(dead_letters)


_register_commands()

for _commands in (ops_backup, ops_doctor, ops_jobs, ops_run, ops_status):
    _commands.register(app)


if __name__ == "__main__":
    app()
