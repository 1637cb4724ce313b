"""Which days hold data, read from Iceberg's partition metadata (no data file is opened)."""

from __future__ import annotations

from datetime import date

from claude_analytics.core.config import Settings
from claude_analytics.core.lake import catalog as lake


def lake_date_range(settings: Settings) -> tuple[date, date] | None:
    """First and last event day held by the lake, or None when it is empty."""
    catalog = lake.open_catalog(settings.lake_dir)
    if not catalog.table_exists(lake.CONVERSATIONS):
        return None
    table = catalog.load_table(lake.CONVERSATIONS)
    if table.current_snapshot() is None:
        return None
    partitions = table.inspect.partitions()["partition"].to_pylist()
    days = [p["event_date"] for p in partitions if p["event_date"]]
    return (min(days), max(days)) if days else None
