"""Running the named jobs from the command line over the window their schedule would pick."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console

from claude_analytics.commands.run import VerboseOption, execute, print_checks, print_outcome
from claude_analytics.commands.runner import source_date_range
from claude_analytics.core.config import Settings, load_settings
from claude_analytics.core.lake.data_range import lake_date_range
from claude_analytics.core.warehouse.file import damage, move_aside
from claude_analytics.defs.jobs import FULL_REFRESH_RUN_CONFIG

console = Console()
# A run config given to a job replaces its own, so the job's settings are passed again here.
JOB_RUN_CONFIG = {"daily_full_refresh": FULL_REFRESH_RUN_CONFIG}
JOB_NAMES = (
    "hourly_incremental",
    "daily_full_refresh",
    "weekly_maintenance",
    "full_pipeline",
    "warehouse_from_lake",
)


def default_window(name: str, settings: Settings, now: datetime) -> tuple[date, date] | None:
    """The days a job covers when none are given: the schedule's for the hourly job, the
    data's own range for the full pipeline (source) and the warehouse rebuild (lake); the
    full refresh and maintenance are unpartitioned."""
    from claude_analytics.defs.resources import source_resource
    from claude_analytics.defs.schedules import hourly_window

    if name == "hourly_incremental":
        return hourly_window(now)
    if name in ("daily_full_refresh", "weekly_maintenance"):
        return None
    if name == "warehouse_from_lake":
        return lake_date_range(settings)
    return source_date_range(source_resource(settings))


def _run_and_report(name: str, first: str | None, last: str | None, verbose: bool) -> None:
    from claude_analytics.definitions import defs

    settings = load_settings()
    if first or last:
        window = (date.fromisoformat(first or last), date.fromisoformat(last or first))
    else:
        window = default_window(name, settings, datetime.now(UTC))
    definitions = defs()
    if definitions.resolve_job_def(name).partitions_def is not None and window is None:
        console.print(f"[yellow]No data to run {name} over.[/]")
        raise typer.Exit(0)
    outcome = execute(definitions, settings, name, window, JOB_RUN_CONFIG.get(name), verbose)
    print_checks(outcome)
    if outcome.log_path is not None:
        console.print(f"Log: [bold]{outcome.log_path}[/] (Dagster and dbt)", soft_wrap=True)
    print_outcome(outcome, name)
    if not outcome.result.success:
        raise typer.Exit(1)


def run_job_command(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(JOB_NAMES)}.")],
    first: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    last: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD), inclusive.")] = None,
    verbose: VerboseOption = False,
) -> None:
    """Run a job now, in this process, over the days its schedule would pick."""
    if name not in JOB_NAMES:
        raise typer.BadParameter(f"unknown job {name!r}; one of {', '.join(JOB_NAMES)}")
    _run_and_report(name, first, last, verbose)


def rebuild_command(verbose: VerboseOption = False) -> None:
    """Rebuild the warehouse (raw tables, every dbt model) from the Iceberg lake alone.

    A damaged warehouse file is moved aside first (kept, renamed). For a lost lake,
    `claude-analytics run` rebuilds everything from the source instead.
    """
    path = load_settings().duckdb_path
    problem = damage(path)
    if problem is not None:
        moved = move_aside(path)
        console.print(f"[yellow]{path} cannot be read ({problem}); moved it to {moved}.[/]")
    _run_and_report("warehouse_from_lake", None, None, verbose)


def register(app: typer.Typer) -> None:
    app.command("run-job")(run_job_command)
    app.command("rebuild")(rebuild_command)
