"""Date windows of a run, as the partitioned assets see them."""

from __future__ import annotations

import dagster as dg

from claude_analytics.core.contracts import DateWindow


def run_window(context: dg.AssetExecutionContext) -> DateWindow:
    """The days this run owns: one partition, or a whole range in a single-run backfill."""
    window = context.partition_time_window
    return DateWindow(start=window.start.date(), end=window.end.date())
