"""The dbt medallion (staging → intermediate → marts) over DuckDB's raw schema."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL
from claude_analytics.lib import dbt_builds
from claude_analytics.lib.asset_events import with_own_materializations
from claude_analytics.lib.dbt import LAYERS, dbt_project, dbt_target_path, translator
from claude_analytics.lib.settings import export_for_subprocesses, load_settings


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
    target = dbt_target_path(settings)
    whole_project = set(context.selected_asset_keys) == set(context.assets_def.keys)
    with duckdb.get_connection() as con:
        current = dbt_builds.BuildMark(
            manifest_sha256=dbt_builds.manifest_digest(dbt_project().manifest_path),
            loaded_through=dbt_builds.latest_load(con),
            relations=dbt_builds.dbt_relations(con, LAYERS),
        )
    if (
        whole_project
        and not config.full_refresh
        and dbt_builds.nothing_to_build(dbt_builds.read_mark(target), current)
    ):
        # no output: the models and everything downstream keep their last materialization
        context.log.info(
            "dbt: nothing to build (no warehouse load since the last complete build, same "
            "project); skipped."
        )
        return
    dbt_builds.clear_mark(target)
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    # A target folder that outlives the run keeps dbt's partial parse valid between runs.
    invocation = dbt.cli(args, context=context, target_path=target)
    yield from with_own_materializations(context, invocation.stream())
    if whole_project and invocation.is_successful():
        with duckdb.get_connection() as con:
            relations = dbt_builds.dbt_relations(con, LAYERS)
        dbt_builds.write_mark(
            target, dbt_builds.BuildMark(current.manifest_sha256, current.loaded_through, relations)
        )
