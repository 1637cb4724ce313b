"""Jobs users run by name from the UI and the CLI; the schedules in schedules.py run them."""

import dagster as dg

from claude_analytics.lib.partitions import daily_partitions

MAINTENANCE = dg.AssetSelection.groups("maintenance")
PIPELINE = dg.AssetSelection.all() - MAINTENANCE
DBT_LAYERS = dg.AssetSelection.groups("staging", "intermediate", "marts")
LAKE = dg.AssetSelection.groups("lake")
FULL_REFRESH_RUN_CONFIG = {"ops": {"dbt_models": {"config": {"full_refresh": True}}}}

full_pipeline = dg.define_asset_job(
    name="full_pipeline",
    selection=PIPELINE,
    partitions_def=daily_partitions,
    description="Every asset, source to marts, for the selected days.",
)

hourly_incremental = dg.define_asset_job(
    name="hourly_incremental",
    selection=PIPELINE,
    partitions_def=daily_partitions,
    description=(
        "Yesterday's and today's partitions from the source to the marts, in one run: late "
        "entries of yesterday land in the right day."
    ),
)

daily_full_refresh = dg.define_asset_job(
    name="daily_full_refresh",
    selection=DBT_LAYERS,
    partitions_def=daily_partitions,
    config=FULL_REFRESH_RUN_CONFIG,
    description=(
        "Every dbt model rebuilt from scratch (`dbt build --full-refresh`) over every day "
        "the lake holds."
    ),
)

warehouse_from_lake = dg.define_asset_job(
    name="warehouse_from_lake",
    selection=PIPELINE - LAKE,
    partitions_def=daily_partitions,
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
