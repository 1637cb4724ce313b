"""Daily partitions by the entry's event date (UTC), shared by every partitioned asset."""

from __future__ import annotations

from datetime import date

import dagster as dg

# Claude Code's first public release was in February 2025: no real entry is older. Entries
# dated before this (clock skew, hand-made files) go to dead letters, never silently away.
PARTITION_START = date(2025, 1, 1)

# end_offset=1 makes today's partition exist, so the hourly run can load today's entries.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=PARTITION_START.isoformat(), end_offset=1, timezone="UTC"
)


def partition_bounds() -> tuple[date, date]:
    """First partition day and the day after the last one (today + 1, UTC)."""
    keys = daily_partitions.get_partition_keys()
    last = date.fromisoformat(keys[-1])
    return PARTITION_START, date.fromordinal(last.toordinal() + 1)
