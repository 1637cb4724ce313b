"""`claude-analytics status`: the data-freshness figures operators look at first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import dagster as dg
import duckdb
import typer
from rich.console import Console
from rich.table import Table

from claude_analytics.commands.instance import get_instance
from claude_analytics.commands.runner import LayerCount, layer_counts
from claude_analytics.core.config import Settings, load_settings
from claude_analytics.core.sql_files import read_sql
from claude_analytics.core.warehouse.file import REPAIR_HINT
from claude_analytics.core.warehouse.locks import lock_holder_pid

console = Console()
LAKE_KEY = dg.AssetKey(["lake", "raw", "conversations"])


@dataclass(frozen=True)
class Freshness:
    last_extraction: datetime | None
    """When the lake last received a window from the source (its latest materialisation)."""
    latest_ingested_at: datetime | None
    latest_date: date | None
    total_records: int
    dead_letters: int


def freshness(settings: Settings) -> Freshness:
    event = get_instance(settings).get_latest_materialization_event(LAKE_KEY)
    extracted = datetime.fromtimestamp(event.timestamp, UTC) if event else None
    if not settings.duckdb_path.exists():
        return Freshness(extracted, None, None, 0, 0)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        row = con.execute(read_sql(__package__, "freshness")).fetchone()
    ingested, latest, total, letters = row if row else (None, None, 0, 0)
    return Freshness(extracted, ingested, latest, int(total), int(letters))


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "never"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return value.isoformat()


def status() -> None:
    """Last extraction, latest event date, total records, and rows per layer."""
    settings = load_settings()
    try:
        fresh = freshness(settings)
        counts: list[LayerCount] = layer_counts(settings)
    except duckdb.Error as error:
        pid = lock_holder_pid(str(error))
        if pid is not None:
            console.print(
                f"[yellow]The warehouse is being written by PID {pid}; retry after the run.[/]"
            )
        else:
            console.print(
                f"[red]The warehouse {settings.duckdb_path} cannot be read: {error}[/]\n"
                f"If the file is damaged, {REPAIR_HINT}."
            )
        raise SystemExit(1) from error
    summary = Table(title="Data freshness", show_header=False)
    summary.add_row("last extraction", _when(fresh.last_extraction))
    summary.add_row("latest ingested entry", _when(fresh.latest_ingested_at))
    summary.add_row("latest event date", _when(fresh.latest_date))
    summary.add_row("total records", f"{fresh.total_records:,}")
    summary.add_row("dead letters", f"{fresh.dead_letters:,}")
    console.print(summary)
    layers = Table(title="Rows per layer")
    layers.add_column("layer")
    layers.add_column("relation")
    layers.add_column("rows", justify="right")
    for count in counts:
        layers.add_row(count.layer, count.relation, f"{count.rows:,}")
    console.print(layers)


def register(app: typer.Typer) -> None:
    app.command("status")(status)
