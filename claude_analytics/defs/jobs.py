"""Jobs users run by name from the UI and the CLI; the schedules in schedules.py run them.

The lake and warehouse raw assets are daily partitions; everything after them (dbt, the
serving snapshot, the dashboard) is unpartitioned and incremental, so a run over a window
of days is one run whatever the window's length. Every job reports its own asset events
(defs/asset_events.py): Dagster's bookkeeping grows with the days that hold data, not with
the window's calendar.
"""

import dagster as dg

from claude_analytics.defs.asset_events import OWN_EVENTS_TAGS

MAINTENANCE = dg.AssetSelection.groups("maintenance")
PIPELINE = dg.AssetSelection.all() - MAINTENANCE
DBT_LAYERS = dg.AssetSelection.groups("staging", "intermediate", "marts")
SERVING = dg.AssetSelection.groups("serving")
REFERENCE = dg.AssetSelection.groups("reference")
LAKE = dg.AssetSelection.groups("lake")
FULL_REFRESH_RUN_CONFIG = {"ops": {"dbt_models": {"config": {"full_refresh": True}}}}

full_pipeline = dg.define_asset_job(
    name="full_pipeline",
    selection=PIPELINE,
    tags=OWN_EVENTS_TAGS,
    description="Every asset, source to marts and dashboard, for the selected days.",
)

hourly_incremental = dg.define_asset_job(
    name="hourly_incremental",
    selection=PIPELINE,
    tags=OWN_EVENTS_TAGS,
    description=(
        "Yesterday's and today's partitions from the source to the marts, in one run: late "
        "entries of yesterday land in the right day."
    ),
)

daily_full_refresh = dg.define_asset_job(
    name="daily_full_refresh",
    selection=REFERENCE | DBT_LAYERS | SERVING,
    config=FULL_REFRESH_RUN_CONFIG,
    tags=OWN_EVENTS_TAGS,
    description=(
        "The price table rebuilt from the pinned library, every dbt model rebuilt from scratch "
        "(`dbt build --full-refresh`) from the whole warehouse, then the serving snapshot and "
        "the dashboard."
    ),
)

warehouse_from_lake = dg.define_asset_job(
    name="warehouse_from_lake",
    selection=PIPELINE - LAKE,
    tags=OWN_EVENTS_TAGS,
    description=(
        "The warehouse (raw tables and every dbt model) rebuilt from the Iceberg lake alone, "
        "without reading the source: the way back after losing the DuckDB file."
    ),
)

weekly_maintenance = dg.define_asset_job(
    name="weekly_maintenance",
    selection=MAINTENANCE,
    description=(
        "Iceberg compaction of recent days and snapshot expiry; DuckDB CHECKPOINT and ANALYZE."
    ),
)
