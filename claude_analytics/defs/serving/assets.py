"""Serving: the read-only snapshot BI tools open, and the offline HTML dashboard built on it."""

import json
from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.core.config import load_settings
from claude_analytics.core.serving import snapshot as serving
from claude_analytics.core.serving.dashboard import build_dashboard, dashboard_path
from claude_analytics.defs.asset_events import own_materialization
from claude_analytics.defs.serving import quality as serving_quality
from claude_analytics.defs.transform.dbt_project import dbt_project, translator
from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL, RAW_DEAD_LETTERS

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
    """Every dbt model in the marts schema, read from the manifest so new marts join in."""
    manifest = json.loads(dbt_project().manifest_path.read_text())
    dbt_translator = translator()
    return sorted(
        (
            dbt_translator.get_asset_spec(manifest, unique_id, dbt_project()).key
            for unique_id, node in manifest["nodes"].items()
            if node.get("resource_type") == "model" and node["config"].get("schema") == "marts"
        ),
        key=lambda key: key.to_user_string(),
    )


def _all_check_keys() -> set[dg.AssetCheckKey]:
    """Every check of the code location, not only those of the run that builds the snapshot."""
    from claude_analytics.definitions import defs  # the code location that holds this asset

    return set(defs().resolve_asset_graph().asset_check_keys)


@dg.asset(
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
    # Lets `dagster asset materialize --partition-range` take the serving assets along in
    # the one run that loads the window (the CLI requires single-run assets for ranges).
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def analytics_snapshot(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource
) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult]:
    settings = load_settings()
    checks = serving_quality.latest_check_results(context.instance, _all_check_keys())
    materialized = serving_quality.latest_materializations(context.instance)
    with duckdb.get_connection() as con:
        result = serving.build_snapshot(
            con, serving.snapshot_path(settings), checks, materialized, run_id=context.run.run_id
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
    context: dg.AssetExecutionContext,
) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult]:
    settings = load_settings()
    result = build_dashboard(serving.snapshot_path(settings), dashboard_path(settings))
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
