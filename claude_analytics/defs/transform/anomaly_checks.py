"""Anomaly checks on the marts: a day's cost far above the days before it, a session that
runs away, a burst of API errors. Non-blocking (a warning: the data is right, the usage is
unusual); each new anomaly also goes to the alert sink with its numbers."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.core.warehouse.anomalies import (
    API_ERROR_BURST,
    DAILY_COST_SPIKE,
    RECENT_DAYS,
    RUNAWAY_SESSION,
    find_anomalies,
)
from claude_analytics.defs.resource_types import AlertsResource
from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL

ANOMALY_CHECKS = {
    DAILY_COST_SPIKE: (
        dg.AssetKey(["marts", "agg_daily_cost_baseline"]),
        "No day of the last week with usage costs far more than the median of the days "
        "with usage before it (agg_daily_cost_baseline.is_cost_spike).",
    ),
    RUNAWAY_SESSION: (
        dg.AssetKey(["marts", "agg_session_outliers"]),
        "No session of the last week spends per active hour, or fails its tool calls, far "
        "above normal (agg_session_outliers.is_runaway_cost / is_runaway_errors).",
    ),
    API_ERROR_BURST: (
        dg.AssetKey(["marts", "agg_api_error_hours"]),
        "No hour of the last week has a burst of API errors (agg_api_error_hours.is_error_burst).",
    ),
}


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name, asset=asset, blocking=False, description=description)
        for name, (asset, description) in ANOMALY_CHECKS.items()
    ],
    pool=DUCKDB_WRITER_POOL,
)
def anomaly_checks(
    context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource, alerts: AlertsResource
) -> Iterator[dg.AssetCheckResult]:
    with duckdb.get_connection() as con:
        found = find_anomalies(con)
    for name, (asset, _) in ANOMALY_CHECKS.items():
        anomalies = found[name]
        delivery = alerts.alert_new_anomalies(anomalies)
        if delivery.webhook_errors:
            context.log.warning(
                f"Alert webhook failed ({', '.join(sorted(set(delivery.webhook_errors)))}); "
                "the anomalies are in alerts.log."
            )
        yield dg.AssetCheckResult(
            check_name=name,
            asset_key=asset,
            passed=not anomalies,
            severity=dg.AssetCheckSeverity.WARN,
            description="; ".join(a.summary for a in anomalies) or "Nothing unusual.",
            metadata={
                "anomalies": len(anomalies),
                "recent_days": RECENT_DAYS,
                "alerted_now": len(delivery.sent),
                "alerted_before": delivery.already_alerted,
                "details": dg.MetadataValue.json([{"key": a.key, **a.figures} for a in anomalies]),
            },
        )
