"""`claude-analytics sync DIR`: a JSONL directory into the MongoDB collection, with progress."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from claude_analytics.core.config import load_settings
from claude_analytics.core.sources.mongo.client import MongoSourceError
from claude_analytics.core.sources.mongo.sync import (
    DEFAULT_SYNC_BATCH,
    SyncReport,
    jsonl_files,
    sync_directory,
)
from claude_analytics.defs.resources import mongo_resource


def _print_report(console: Console, report: SyncReport) -> None:
    console.print(
        f"{report.files} files, {report.lines:,} lines: [bold]{report.inserted:,} inserted[/], "
        f"{report.already_present:,} already present, {report.not_objects:,} not JSON objects, "
        f"{report.rejected:,} rejected by the server"
    )
    if report.reencoded:
        console.print(
            f"{report.reencoded:,} lines are not in compact JSON: MongoDB keeps their content, "
            "and raw_json holds their compact form"
        )
    for problem in report.problems:
        where = (
            f"{problem.source_file}:{problem.line_number}"
            if problem.line_number
            else problem.source_file
        )
        console.print(f"  [yellow]skipped[/] {where}: {problem.reason}")
    listed = len(report.problems)
    if report.not_objects + report.rejected > listed:
        console.print(f"  … and {report.not_objects + report.rejected - listed} more")


def sync(
    directory: Path, batch_size: int = DEFAULT_SYNC_BATCH, console: Console | None = None
) -> SyncReport:
    """Sync `directory` into MONGO_URI's collection; exits non-zero when the server fails."""
    console = console or Console()
    settings = load_settings()
    if not settings.mongo_configured:
        console.print("[red]Set MONGO_URI[/] (and optionally MONGO_DB, MONGO_COLLECTION) first.")
        raise typer.Exit(2)
    mongo = mongo_resource(settings).process_config_and_initialize()
    target = mongo.target()
    total = sum(path.stat().st_size for path in jsonl_files(directory))
    console.print(f"Syncing {directory} into {target.describe()}")
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("sync", total=total)
            report = sync_directory(
                target,
                directory,
                batch_size=batch_size,
                on_progress=lambda n: progress.advance(task, n),
            )
    except MongoSourceError as error:
        console.print(f"[red]Sync stopped:[/] {error}")
        console.print("Lines inserted so far stay; run the same command again to resume.")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print(
            "[yellow]Interrupted.[/] Run the same command again to resume: "
            "lines already inserted are skipped."
        )
        raise typer.Exit(130) from None
    _print_report(console, report)
    return report


def sync_command(
    directory: Annotated[
        Path, typer.Argument(help="A Claude Code projects folder (e.g. ~/.claude/projects).")
    ],
    batch_size: Annotated[int, typer.Option(help="Lines per insert.")] = 1_000,
) -> None:
    """Load a JSONL directory into the MongoDB collection (MONGO_URI); re-syncs add nothing."""
    sync(directory.expanduser(), batch_size, Console())


def register(app: typer.Typer) -> None:
    app.command("sync")(sync_command)
