"""Serving: the read-only snapshot BI tools open, and the offline HTML dashboard built on it."""

from collections.abc import Iterator
from functools import cache

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.core.serving import snapshot as serving
from claude_analytics.core.serving.dashboard import build_dashboard, dashboard_path
from claude_analytics.defs.asset_events import own_materialization
from claude_analytics.defs.lake.assets import lake_raw
from claude_analytics.defs.resource_types import HomeResource
from claude_analytics.defs.serving import quality as serving_quality
from claude_analytics.defs.transform.anomaly_checks import anomaly_checks
from claude_analytics.defs.transform.assets import dbt_models_definition
from claude_analytics.defs.transform.checks import token_usage_checks
from claude_analytics.defs.warehouse.assets import (
    DUCKDB_WRITER_POOL,
    RAW_DEAD_LETTERS,
    warehouse_raw,
)

SERVING_SNAPSHOT = dg.AssetKey(["serving", "analytics_snapshot"])
DASHBOARD = dg.AssetKey(["serving", "dashboard"])

# Rebuild after any upstream partition lands, once nothing upstream is still running and
# the blocking checks passed. `eager()` would wait for every daily partition since 2025 to
# exist, which never happens, so the conditions are spelled out.
AFTER_UPSTREAM = (
    dg.AutomationCondition.any_deps_updated()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
    & dg.AutomationCondition.all_deps_blocking_checks_passed()
)


def mart_keys() -> list[dg.AssetKey]:
    """Every dbt model in the marts schema, as the dbt assets name them, so new marts join in."""
    return sorted(
        (key for key in dbt_models_definition().keys if key.path[0] == "marts"),
        key=lambda key: key.to_user_string(),
    )


def code_location_check_keys() -> set[dg.AssetCheckKey]:
    """Every check of the code location, not only those of the run that builds the snapshot:
    the snapshot reports each one's latest evaluation, whichever run made it.

    Listed from the definitions that hold checks, because a step cannot ask Dagster for its
    code location: `context.repository_def` is unset in `execute_in_process` (the CLI's
    runner, the tests) and a job's asset graph holds only its own selection. A test holds
    this list equal to the loaded code location's checks.
    """
    holders = (lake_raw, warehouse_raw, dbt_models_definition(), token_usage_checks, anomaly_checks)
    return {key for holder in holders for key in holder.check_keys}


def build_analytics_snapshot(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, home: HomeResource
) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult]:
    layout = home.layout()
    checks = serving_quality.latest_check_results(context.instance, code_location_check_keys())
    materialized = serving_quality.latest_materializations(context.instance)
    with duckdb.get_connection() as con:
        result = serving.build_snapshot(
            con, serving.snapshot_path(layout), checks, materialized, run_id=context.run.run_id
        )
    metadata = {
        "path": dg.MetadataValue.path(str(result.path)),
        "bytes": result.bytes,
        "seconds": round(result.seconds, 3),
        "tables": dg.MetadataValue.json(result.rows),
        "dagster/row_count": sum(result.rows.values()),
    }
    yield from own_materialization(context, SERVING_SNAPSHOT, metadata)
    yield dg.MaterializeResult(metadata=metadata)


@cache
def analytics_snapshot_definition() -> dg.AssetsDefinition:
    """The snapshot depends on every mart, which only the dbt manifest names: built when the
    definitions load, never when this module is imported."""
    return dg.asset(
        key=SERVING_SNAPSHOT,
        deps=[*mart_keys(), RAW_DEAD_LETTERS],
        description=(
            "Read-only copy of the marts plus data-quality tables, swapped in atomically: what "
            "Metabase, notebooks, reports and the dashboard open, so no reader blocks a run."
        ),
        kinds={"duckdb"},
        group_name="serving",
        pool=DUCKDB_WRITER_POOL,
        automation_condition=AFTER_UPSTREAM,
        # Lets `dagster asset materialize --partition-range` take the serving assets along
        # in the one run that loads the window (the CLI requires single-run assets for
        # ranges).
        backfill_policy=dg.BackfillPolicy.single_run(),
    )(build_analytics_snapshot)


@dg.asset(
    key=DASHBOARD,
    deps=[SERVING_SNAPSHOT],
    description="One offline HTML file with every chart; open it in any browser, no server.",
    kinds={"html", "plotly"},
    group_name="serving",
    automation_condition=AFTER_UPSTREAM,
    # Lets `dagster asset materialize --partition-range` take the serving assets along in
    # the one run that loads the window (the CLI requires single-run assets for ranges).
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def dashboard(
    context: dg.AssetExecutionContext, home: HomeResource
) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult]:
    layout = home.layout()
    result = build_dashboard(serving.snapshot_path(layout), dashboard_path(layout))
    if result.missing:
        context.log.warning(f"Panels without data: {sorted(result.missing)}")
    metadata = {
        "path": dg.MetadataValue.path(str(result.path)),
        "url": dg.MetadataValue.url(result.path.as_uri()),
        "bytes": result.bytes,
        "charts": len(result.charts),
        "panels_without_data": dg.MetadataValue.json(result.missing),
    }
    yield from own_materialization(context, DASHBOARD, metadata)
    yield dg.MaterializeResult(metadata=metadata)


@dg.definitions
def serving_assets() -> dg.Definitions:
    """A module with a `@dg.definitions` function contributes only what it returns: the
    dashboard is listed beside the snapshot."""
    return dg.Definitions(assets=[analytics_snapshot_definition(), dashboard])
