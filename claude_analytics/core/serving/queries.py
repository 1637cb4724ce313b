"""Every query the dashboard and the reports run against the serving snapshot, by name.

The SQL lives in `sql/*.sql` beside this module, one file per query, so it is linted and can
be run as it is in a DuckDB shell. What a query needs from the marts is read from the query
itself (core/serving/needs.py), so a renamed mart column is fixed in the SQL alone, and a
panel whose mart or column is missing says which instead of failing the whole page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from claude_analytics.core.serving.needs import needs
from claude_analytics.core.sql_files import fill_slots, read_sql

# Relations the snapshot adds beside the marts (written by core/serving/snapshot.py).
QUALITY_CHECKS = "quality.check_results"
QUALITY_DEAD_LETTERS = "quality.dead_letters"
QUALITY_FRESHNESS = "quality.freshness"
SNAPSHOT_INFO = "quality.snapshot_info"


def query(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    return read_sql(__package__, name)


# A query with a `${user_filter}` slot answers for everyone or for one person (`$user`).
EVERYONE = "true"
ONE_PERSON = "user_id = $user"


def _for(sql: str, user_filter: str) -> str:
    return fill_slots(sql, {"user_filter": user_filter}) if "${user_filter}" in sql else sql


@dataclass(frozen=True)
class PanelQuery:
    """One chart's data: the query file, and the file answering it for one person (`$user`)
    when the snapshot can split it (None: not split). Most panels read one fact either way
    and fill the file's `${user_filter}` slot; a panel drawn from a daily mart that is not
    split by user has a `_user` file reading the fact instead. The cache and tool-error
    panels read marts that carry user_id, so one file serves both, with `$user` null for
    everyone."""

    name: str
    user_name: str | None = None

    @property
    def sql(self) -> str:
        return _for(query(self.name), EVERYONE)

    @property
    def user_sql(self) -> str | None:
        return _for(query(self.user_name), ONE_PERSON) if self.user_name else None


# The dashboard's headline figures (KPIs), for everyone and per person.
SUMMARY = PanelQuery("summary", "summary")

PANELS: Mapping[str, PanelQuery] = {
    "tokens_by_model": PanelQuery("panel_tokens_by_model", "panel_tokens_by_model_user"),
    "cost_by_model": PanelQuery("panel_cost_by_model", "panel_cost_by_model_user"),
    "cost_by_project": PanelQuery("panel_cost_by_project", "panel_cost_by_project"),
    "cost_by_branch": PanelQuery("panel_cost_by_branch", "panel_cost_by_branch"),
    "sessions_per_day": PanelQuery("panel_sessions_per_day", "panel_sessions_per_day_user"),
    "session_duration": PanelQuery("panel_session_duration", "panel_session_duration"),
    "activity_heatmap": PanelQuery("panel_activity_heatmap"),
    "usage_blocks": PanelQuery("panel_usage_blocks"),
    "tool_efficiency": PanelQuery("panel_tool_efficiency"),
    "code_changes": PanelQuery("panel_code_changes"),
    "subagent_share": PanelQuery("panel_subagent_share", "panel_subagent_share"),
    "cache_by_day": PanelQuery("panel_cache_by_day", "panel_cache_by_day"),
    "cache_by_model": PanelQuery("panel_cache_by_model", "panel_cache_by_model"),
    "tool_error_classes": PanelQuery("panel_tool_error_classes", "panel_tool_error_classes"),
    "tool_error_messages": PanelQuery("panel_tool_error_messages", "panel_tool_error_messages"),
    "check_results": PanelQuery("panel_check_results"),
    "dead_letters": PanelQuery("panel_dead_letters"),
    "freshness": PanelQuery("panel_freshness"),
}


def existing_relations(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """`schema.table` -> its column names, for every relation the readers may use."""
    return {name: set(columns) for name, columns in con.execute(query("relations")).fetchall()}


def missing_for(sql: str, relations: Mapping[str, set[str]]) -> list[str]:
    """What the snapshot lacks for `sql`: absent relations, or `relation.column` the query
    reads; empty when it can run."""
    return needs(sql).missing(relations)


def splits_by_user(panel: PanelQuery, relations: Mapping[str, set[str]]) -> bool:
    """Whether the snapshot can answer the panel for one person (its per-person query reads
    user_id, so a fact without the column cannot)."""
    return panel.user_sql is not None and not missing_for(panel.user_sql, relations)


def query_parameters(sql: str, user: str | None) -> dict[str, str | None] | None:
    """`$user` for the queries that take it (DuckDB refuses parameters a query lacks); read
    from the parsed query, so a comment that mentions `$user` does not count."""
    return {"user": user} if "user" in needs(sql).parameters else None


# The token report's fixed expressions over `local_at` (the response's local time) and the
# fact's columns. Weeks start on Monday (ISO).
TOKEN_REPORT_PERIODS: Mapping[str, str] = {
    "daily": "strftime(local_at, '%Y-%m-%d')",
    "weekly": "strftime(date_trunc('week', local_at), '%Y-%m-%d')",
    "monthly": "strftime(local_at, '%Y-%m')",
    "session": "session_id",
}
# `--by` -> what each period is split into
TOKEN_REPORT_DIMENSIONS: Mapping[str, str] = {
    "model": "model_id",
    "user": "user_id",
    "machine": "hostname",
    "project": "project_id",
    "branch": "coalesce(git_branch, '(no branch)')",
}


def token_report_sql(period: str, dimension: str = "model", user_filter: bool = False) -> str:
    """Token and cost totals per `period` (a key of TOKEN_REPORT_PERIODS) and per value of
    the `dimension` (a key of TOKEN_REPORT_DIMENSIONS), from one row per API response.

    Only the allow-listed expressions above are written into the query, never user text; the
    user's filters and time zone are bound parameters. The user filter is only written when
    asked for, so snapshots from before the user columns still answer the other reports.
    """
    return fill_slots(
        query("token_report"),
        {
            "period_expression": TOKEN_REPORT_PERIODS[period],
            "dimension_expression": TOKEN_REPORT_DIMENSIONS[dimension],
            "user_filter": "contains(user_id, $user)" if user_filter else "true",
        },
    )
