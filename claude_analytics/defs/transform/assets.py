"""The dbt medallion (staging → intermediate → marts) over DuckDB's raw schema."""

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL
from claude_analytics.lib.dbt import dbt_project, translator
from claude_analytics.lib.locks import wait_for_writer_lock
from claude_analytics.lib.partitions import daily_partitions
from claude_analytics.lib.settings import export_for_subprocesses, load_settings
from claude_analytics.lib.windows import run_window


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds the incremental facts from every day (the daily 02:00 run);
    otherwise they rebuild only the run's partition window."""

    full_refresh: bool = False


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
    settings = load_settings()
    export_for_subprocesses(settings)
    # dbt opens the file itself: a foreign holder is waited out here, in the run log
    wait_for_writer_lock(settings.duckdb_path, context.log.warning)
    dbt_vars = {"min_date": window.start.isoformat(), "max_date": window.end.isoformat()}
    args = ["build", "--vars", json.dumps(dbt_vars)]
    if config.full_refresh:
        args.append("--full-refresh")
    yield from dbt.cli(args, context=context).stream()
