"""Runs that report their own asset events, so Dagster's bookkeeping grows with the data.

A run over a window of daily partitions makes Dagster record a planned event and a
materialization for every asset and every day of the window, data or not: a history with
two busy days 540 days apart cost thousands of events and minutes before any step ran.
Runs tagged `dagster/defer_asset_events` (Dagster's own tag for runs whose code reports
its asset events itself) skip that bookkeeping; each asset then reports what it really did:
the lake and warehouse assets one materialization per day that holds (or lost) data, the
unpartitioned dbt and serving assets one each. The jobs, schedules, sensors and the CLI set
the tag; an ad-hoc materialization (the UI's Materialize button, `dagster asset
materialize --partition-range`) runs without it and gets Dagster's usual per-day events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

import dagster as dg

OWN_EVENTS_TAG = "dagster/defer_asset_events"
OWN_EVENTS_TAGS: Mapping[str, str] = {OWN_EVENTS_TAG: "true"}


def reports_own_events(context: dg.AssetExecutionContext) -> bool:
    """True when Dagster leaves this run's asset events to the assets themselves."""
    return context.run.tags.get(OWN_EVENTS_TAG, "").lower() == "true"


def report_days(
    context: dg.AssetExecutionContext,
    asset_key: dg.AssetKey,
    window_metadata: Mapping[str, Any],
    rows_after: Mapping[date, int],
    rows_before: Mapping[date, int],
    day_extras: Mapping[date, Mapping[str, Any]] | None = None,
) -> Iterator[dg.AssetMaterialization]:
    """Each day's row count (and `day_extras`) for a partitioned asset of a window run.

    In a run that reports its own events: one materialization per day that holds or lost
    rows, and one for the window's last day in any case (an hourly run over a quiet day
    still says the asset is current), each with the window's metadata beside the day's
    own. Otherwise Dagster records every day of the window from the asset's output; the
    days with rows get their own figures.
    """
    last_day = context.partition_time_window.end.date() - timedelta(days=1)
    changed = sorted(set(rows_after) | set(rows_before) | {last_day})
    own = reports_own_events(context)
    for day in changed:
        rows = rows_after.get(day, 0)
        day_metadata = {
            "rows": rows,
            "dagster/row_count": rows,
            **((day_extras or {}).get(day) or {}),
        }
        if own:
            yield dg.AssetMaterialization(
                asset_key=asset_key,
                partition=day.isoformat(),
                metadata={**window_metadata, **day_metadata},
            )
        else:
            context.add_asset_metadata(
                day_metadata, asset_key=asset_key, partition_key=day.isoformat()
            )


def own_materialization(
    context: dg.AssetExecutionContext, asset_key: dg.AssetKey, metadata: Mapping[str, Any]
) -> Iterator[dg.AssetMaterialization]:
    """The materialization of an unpartitioned asset, in a run that reports its own events."""
    if reports_own_events(context):
        yield dg.AssetMaterialization(asset_key=asset_key, metadata=dict(metadata))


def with_own_materializations(
    context: dg.AssetExecutionContext, events: Iterable[Any]
) -> Iterator[Any]:
    """dagster-dbt's events, each model's Output preceded by its materialization when the
    run reports its own events (dagster-dbt leaves that to Dagster's output handling)."""
    own = reports_own_events(context)
    for event in events:
        if own and isinstance(event, dg.Output):
            yield dg.AssetMaterialization(
                asset_key=context.asset_key_for_output(event.output_name),
                metadata=dict(event.metadata),
            )
        yield event
