"""The dbt medallion (staging → intermediate → marts) over DuckDB's raw schema."""

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL
from claude_analytics.lib.dbt import dbt_project, translator
from claude_analytics.lib.partitions import daily_partitions
from claude_analytics.lib.settings import export_for_subprocesses, load_settings
from claude_analytics.lib.windows import run_window


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild incremental models from scratch (the daily 02:00 full refresh sets it)."""


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=translator(),
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_WRITER_POOL,
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    window = run_window(context)
    export_for_subprocesses(load_settings())
    dbt_vars = {"min_date": window.start.isoformat(), "max_date": window.end.isoformat()}
    args = ["build", "--vars", json.dumps(dbt_vars)]
    if config.full_refresh:
        args.append("--full-refresh")
    yield from dbt.cli(args, context=context).stream()
