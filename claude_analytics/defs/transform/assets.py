"""The dbt medallion (staging → intermediate → marts) over DuckDB's raw schema."""

from collections.abc import Iterator
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import dbt_assets
from dagster_duckdb import DuckDBResource

from claude_analytics.core.warehouse import dbt_builds
from claude_analytics.defs.asset_events import with_own_materializations
from claude_analytics.defs.transform.dbt_project import (
    PipelineDbtResource,
    dbt_project,
    translator,
)
from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL

DBT_OP = "dbt_models"


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds every model from every day (the daily 02:00 run); otherwise
    the incremental models rebuild the days the warehouse loads changed since their last
    build (`raw.loaded_days`)."""

    full_refresh: bool = False


def build_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: PipelineDbtResource,
    duckdb: DuckDBResource,
    config: DbtBuildConfig,
) -> Iterator[Any]:
    """`dbt build` of the models the run selected, in the home's dbt target folder, whose
    partial parse outlives the run (the resource passes the warehouse to dbt's profile)."""
    with duckdb.get_connection() as con:
        loaded = dbt_builds.warehouse_ever_loaded(con)
    if not loaded and not config.full_refresh:
        # no output: nothing downstream runs either, until the first entries arrive
        context.log.info("dbt: the warehouse has never been loaded with entries; nothing to build.")
        return
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    yield from with_own_materializations(context, dbt.cli(args, context=context).stream())


@cache
def dbt_models_definition() -> dg.AssetsDefinition:
    """One asset per dbt node, read from the manifest: built when the definitions load (the
    manifest may first need a `dbt parse`), never when this module is imported."""
    project = dbt_project()
    return dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name=DBT_OP,
        dagster_dbt_translator=translator(),
        # Unpartitioned: the models are incremental by watermark, so one build covers
        # whatever days a run loaded and Dagster records one materialization per model, not
        # one per day. The single-run policy lets them join a partition-range run of the raw
        # assets.
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_WRITER_POOL,
    )(build_dbt_models)


@dg.definitions
def dbt_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[dbt_models_definition()])
