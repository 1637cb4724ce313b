"""Anomalies the marts flag (a day's cost spike, a runaway session, a burst of API errors),
read for the Dagster checks that report them and the alerts that tell someone.

The marts hold the verdict for every day, session and hour (thresholds are dbt vars); the
checks look at the recent window only, so a spike from last quarter does not fail every
run forever, and each anomaly is alerted once (`core/alerts/anomaly_alerts.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from claude_analytics.core.sql_files import read_sql

# Days before the latest day with usage that the checks look at.
RECENT_DAYS = 7

DAILY_COST_SPIKE = "daily_cost_spike"
RUNAWAY_SESSION = "runaway_session"
API_ERROR_BURST = "api_error_burst"
CHECKS = (DAILY_COST_SPIKE, RUNAWAY_SESSION, API_ERROR_BURST)


@dataclass(frozen=True)
class Anomaly:
    check: str
    key: str
    figures: dict[str, Any]

    @property
    def summary(self) -> str:
        """One line with the numbers, for the alert and the check's description."""
        f = self.figures
        if self.check == DAILY_COST_SPIKE:
            return (
                f"{self.key}: cost ${f['cost_usd']:,.2f} is {f['cost_ratio']}x the median "
                f"${f['trailing_median_cost_usd']:,.2f} of the {f['trailing_days']} days before"
            )
        if self.check == RUNAWAY_SESSION:
            reasons = []
            if f["is_runaway_cost"]:
                reasons.append(
                    f"${f['cost_per_active_hour']:,.2f} per active hour, {f['cost_rate_ratio']}x "
                    f"the median session's ${f['median_cost_per_active_hour']:,.2f}"
                )
            if f["is_runaway_errors"]:
                reasons.append(
                    f"{f['tool_errors']} of {f['tool_calls']} tool calls failed "
                    f"({f['tool_error_rate']:.0%}; {f['overall_tool_error_rate']:.0%} overall)"
                )
            return (
                f"session {self.key} of {f['user_id']} on {f['hostname']} "
                f"({f['project_id']}, ${f['cost_usd']:,.2f}): " + "; ".join(reasons)
            )
        return (
            f"{self.key}: {f['api_errors']} API errors in the hour, "
            f"{f['api_error_share']:.0%} of its {f['api_responses']} responses, "
            f"{f['sessions_with_errors']} session(s)"
        )


def _plain(value: Any) -> Any:
    """JSON- and metadata-safe values (DuckDB returns dates and decimals)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def find_anomalies(
    con: duckdb.DuckDBPyConnection, recent_days: int = RECENT_DAYS
) -> dict[str, list[Anomaly]]:
    """Each check's anomalies in the recent window, oldest first."""
    found: dict[str, list[Anomaly]] = {}
    for check in CHECKS:
        query = read_sql(__package__, f"anomaly_{check}")
        cursor = con.execute(query, {"recent_days": recent_days})
        names = [column[0] for column in cursor.description or ()]
        found[check] = [
            Anomaly(
                check=check,
                key=str(row[0]),
                figures={
                    name: _plain(value) for name, value in zip(names[1:], row[1:], strict=True)
                },
            )
            for row in cursor.fetchall()
        ]
    return found
