"""The dbt medallion (staging → intermediate → marts) over DuckDB's raw schema."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from claude_analytics.core.config import export_for_subprocesses, load_settings
from claude_analytics.core.warehouse import dbt_builds
from claude_analytics.defs.asset_events import with_own_materializations
from claude_analytics.defs.transform.dbt_project import dbt_project, dbt_target_path, translator
from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds every model from every day (the daily 02:00 run); otherwise
    the incremental models rebuild the days the warehouse loads changed since their last
    build (`raw.loaded_days`)."""

    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=translator(),
    # Unpartitioned: the models are incremental by watermark, so one build covers whatever
    # days a run loaded and Dagster records one materialization per model, not one per day.
    # The single-run policy lets them join a partition-range run of the raw assets.
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_WRITER_POOL,
)
def dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    duckdb: DuckDBResource,
    config: DbtBuildConfig,
) -> Iterator[Any]:
    settings = load_settings()
    export_for_subprocesses(settings)
    with duckdb.get_connection() as con:
        loaded = dbt_builds.warehouse_ever_loaded(con)
    if not loaded and not config.full_refresh:
        # no output: nothing downstream runs either, until the first entries arrive
        context.log.info("dbt: the warehouse has never been loaded with entries; nothing to build.")
        return
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    # A target folder that outlives the run keeps dbt's partial parse valid between runs.
    invocation = dbt.cli(args, context=context, target_path=dbt_target_path(settings))
    yield from with_own_materializations(context, invocation.stream())
