"""Jobs users run by name from the UI and the CLI."""

import dagster as dg

from claude_analytics.lib.partitions import daily_partitions

full_pipeline = dg.define_asset_job(
    name="full_pipeline",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Every asset, source to marts, for the selected days.",
)
