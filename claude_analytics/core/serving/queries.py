"""Every query the dashboard, the reports and Metabase run against the serving snapshot.

The marts are the contract between the dbt project and its readers. Keeping each reader's
SQL here, with the columns it needs spelled out, means a renamed mart column is fixed in
one file, and a panel whose mart is missing says so instead of failing the whole page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from claude_analytics.core.contracts import TOKEN_COLUMNS

SNAPSHOT_SCHEMAS = ("marts", "quality")

# Relations the snapshot adds beside the marts (written by core/serving/snapshot.py).
QUALITY_CHECKS = "quality.check_results"
QUALITY_DEAD_LETTERS = "quality.dead_letters"
QUALITY_FRESHNESS = "quality.freshness"
SNAPSHOT_INFO = "quality.snapshot_info"

# The name issue 4 gives the 5-hour usage blocks; DESIGN.md's list of marts omits it.
USAGE_BLOCKS = "marts.agg_usage_blocks"

# Mart -> the columns any reader here uses (the analytics issue's marts as of its branch
# commit 4698cb7). Tests build stand-ins from it; a mart that lacks one shows as missing.
MART_CONTRACT: Mapping[str, tuple[str, ...]] = {
    "marts.agg_daily_summary": ("event_date", "sessions"),
    "marts.agg_model_costs": (
        "event_date",
        "model_id",
        *TOKEN_COLUMNS,
        "cost_usd",
        "unpriced_tokens",
    ),
    "marts.fct_token_usage": (
        "session_id",
        "project_id",
        "model_id",
        "responded_at",
        "event_date",
        "is_sidechain",
        *TOKEN_COLUMNS,
        "cost_usd",
        "unpriced_tokens",
    ),
    "marts.dim_sessions": (
        "session_id",
        "project_id",
        "git_branch",
        "started_at",
        "duration_seconds",
        "cost_usd",
    ),
    "marts.agg_hourly_activity": ("iso_weekday", "hour_of_day", "prompts"),
    "marts.agg_tool_efficiency": (
        "tool_name",
        "tool_category",
        "calls",
        "errors",
        "error_rate",
        "p95_latency_ms",
    ),
    "marts.agg_code_changes": ("event_date", "files_touched", "lines_added", "lines_removed"),
    "marts.agg_cache_efficiency": (
        "event_date",
        "user_id",
        "model_id",
        "api_responses",
        "cache_creation_5m_input_tokens",
        "cache_creation_1h_input_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
        "input_side_tokens",
        "input_side_cost_usd",
        "list_price_input_cost_usd",
        "cache_savings_usd",
    ),
    "marts.fct_tool_errors": (
        "tool_use_id",
        "user_id",
        "called_at",
        "error_class",
        "error_pattern",
        "error_message",
    ),
    "marts.fct_file_operations": ("file_extension", "operation", "lines_added", "lines_removed"),
    USAGE_BLOCKS: (
        "block_started_at",
        "block_ends_at",
        *TOKEN_COLUMNS,
        "total_tokens",
        "cost_usd",
        "unpriced_tokens",
    ),
}

TOTAL_TOKENS_SQL = " + ".join(f"coalesce({c}, 0)" for c in TOKEN_COLUMNS)


@dataclass(frozen=True)
class PanelQuery:
    """One chart's data: the SQL and the relations it reads; `user_sql` is the same panel
    for one person (`$user`), read from a fact that carries user_id (None: not split)."""

    sql: str
    needs: tuple[str, ...]
    user_sql: str | None = None
    user_needs: tuple[str, ...] = ()


# The people the dashboard's user filter offers, most expensive first.
USERS_SQL = """
    select user_id from marts.dim_users
    order by cost_usd desc nulls last, user_id
    limit $limit
"""
# Per-user variants of the panels whose marts are not split by user.
_USER_TOKENS_BY_MODEL = f"""
    select event_date, model_id as model, sum({TOTAL_TOKENS_SQL}) as total_tokens
    from marts.fct_token_usage
    where user_id = $user
    group by all
    order by event_date, model
"""
_USER_COST_BY_PROJECT = """
    select coalesce(project_id, '(none)') as project_id, sum(cost_usd) as cost_usd
    from marts.fct_token_usage
    where user_id = $user
    group by all
    order by cost_usd desc
"""
_USER_COST_BY_BRANCH = """
    select coalesce(nullif(git_branch, ''), '(no branch)') as git_branch,
        sum(cost_usd) as cost_usd
    from marts.dim_sessions
    where user_id = $user
    group by all
    order by cost_usd desc
    limit 20
"""
_USER_SESSIONS_PER_DAY = """
    select session_date as event_date, count(*) as sessions
    from marts.dim_sessions
    where user_id = $user
    group by all
    order by event_date
"""
_USER_SESSION_DURATION = """
    select duration_seconds / 60 as duration_minutes
    from marts.dim_sessions
    where duration_seconds is not null and user_id = $user
"""
_USER_SUBAGENT_SHARE = f"""
    select event_date,
        sum({TOTAL_TOKENS_SQL}) filter (where is_sidechain)
            / nullif(sum({TOTAL_TOKENS_SQL}), 0) as subagent_token_share,
        sum(cost_usd) filter (where is_sidechain)
            / nullif(sum(cost_usd), 0) as subagent_cost_share
    from marts.fct_token_usage
    where user_id = $user
    group by all
    order by event_date
"""
# The cache and tool-error panels read marts that carry user_id: `$user` null is everyone.
_CACHE_BY_DAY = """
    select
        event_date,
        sum(cache_read_input_tokens) / nullif(sum(input_side_tokens), 0) as cache_hit_rate,
        sum(cache_creation_1h_input_tokens) / nullif(sum(cache_creation_input_tokens), 0)
            as cache_write_1h_share,
        sum(cache_savings_usd) as cache_savings_usd
    from marts.agg_cache_efficiency
    where $user is null or user_id = $user
    group by all
    order by event_date
"""
_CACHE_BY_MODEL = """
    select
        model_id as model,
        sum(api_responses) as responses,
        sum(cache_read_input_tokens) / nullif(sum(input_side_tokens), 0) as hit_rate,
        sum(cache_creation_5m_input_tokens) as writes_5m,
        sum(cache_creation_1h_input_tokens) as writes_1h,
        sum(input_side_cost_usd) as input_cost_usd,
        sum(list_price_input_cost_usd) as list_price_usd,
        sum(cache_savings_usd) as saved_usd
    from marts.agg_cache_efficiency
    where $user is null or user_id = $user
    group by all
    order by saved_usd desc nulls last, model
"""
_TOOL_ERROR_CLASSES = """
    select error_class, count(*) as errors
    from marts.fct_tool_errors
    where $user is null or user_id = $user
    group by all
    order by errors desc, error_class
"""
_TOOL_ERROR_MESSAGES = """
    with patterns as (
        select
            error_class,
            error_pattern,
            count(*) as occurrences,
            arg_min(error_message, (called_at, tool_use_id)) as example_message
        from marts.fct_tool_errors
        where $user is null or user_id = $user
        group by all
    ),
    ranked as (
        select
            *,
            sum(occurrences) over (partition by error_class) as class_errors,
            row_number() over (
                partition by error_class order by occurrences desc, error_pattern
            ) as class_rank
        from patterns
    )
    select error_class, class_errors, occurrences, example_message
    from ranked
    where class_rank <= 3
    order by class_errors desc, error_class, class_rank
"""
_USER_COST_BY_MODEL = """
    select event_date, model_id as model, sum(cost_usd) as cost_usd
    from marts.fct_token_usage
    where user_id = $user
    group by all
    order by event_date, model
"""


PANELS: Mapping[str, PanelQuery] = {
    "tokens_by_model": PanelQuery(
        f"""
        select event_date, model_id as model, sum({TOTAL_TOKENS_SQL}) as total_tokens
        from marts.agg_model_costs
        group by all
        order by event_date, model
        """,
        ("marts.agg_model_costs",),
        _USER_TOKENS_BY_MODEL,
        ("marts.fct_token_usage",),
    ),
    "cost_by_model": PanelQuery(
        """
        select event_date, model_id as model, sum(cost_usd) as cost_usd
        from marts.agg_model_costs
        group by all
        order by event_date, model
        """,
        ("marts.agg_model_costs",),
        _USER_COST_BY_MODEL,
        ("marts.fct_token_usage",),
    ),
    "cost_by_project": PanelQuery(
        """
        select coalesce(project_id, '(none)') as project_id, sum(cost_usd) as cost_usd
        from marts.fct_token_usage
        group by all
        order by cost_usd desc
        """,
        ("marts.fct_token_usage",),
        _USER_COST_BY_PROJECT,
        ("marts.fct_token_usage",),
    ),
    "cost_by_branch": PanelQuery(
        """
        select coalesce(nullif(git_branch, ''), '(no branch)') as git_branch,
            sum(cost_usd) as cost_usd
        from marts.dim_sessions
        group by all
        order by cost_usd desc
        limit 20
        """,
        ("marts.dim_sessions",),
        _USER_COST_BY_BRANCH,
        ("marts.dim_sessions",),
    ),
    "sessions_per_day": PanelQuery(
        """
        select event_date, sessions
        from marts.agg_daily_summary
        order by event_date
        """,
        ("marts.agg_daily_summary",),
        _USER_SESSIONS_PER_DAY,
        ("marts.dim_sessions",),
    ),
    "session_duration": PanelQuery(
        """
        select duration_seconds / 60 as duration_minutes
        from marts.dim_sessions
        where duration_seconds is not null
        """,
        ("marts.dim_sessions",),
        _USER_SESSION_DURATION,
        ("marts.dim_sessions",),
    ),
    "activity_heatmap": PanelQuery(
        """
        select iso_weekday, hour_of_day, sum(prompts) as prompts
        from marts.agg_hourly_activity
        group by all
        order by iso_weekday, hour_of_day
        """,
        ("marts.agg_hourly_activity",),
    ),
    "usage_blocks": PanelQuery(
        f"""
        select block_started_at, block_ends_at, total_tokens, cost_usd
        from {USAGE_BLOCKS}
        order by block_started_at
        """,
        (USAGE_BLOCKS,),
    ),
    "tool_efficiency": PanelQuery(
        """
        select tool_name, calls, errors, error_rate, p95_latency_ms
        from marts.agg_tool_efficiency
        order by calls desc
        limit 15
        """,
        ("marts.agg_tool_efficiency",),
    ),
    "code_changes": PanelQuery(
        """
        select event_date, sum(files_touched) as files_touched,
            sum(lines_added) as lines_added, sum(lines_removed) as lines_removed
        from marts.agg_code_changes
        group by all
        order by event_date
        """,
        ("marts.agg_code_changes",),
    ),
    "subagent_share": PanelQuery(
        f"""
        select event_date,
            sum({TOTAL_TOKENS_SQL}) filter (where is_sidechain)
                / nullif(sum({TOTAL_TOKENS_SQL}), 0) as subagent_token_share,
            sum(cost_usd) filter (where is_sidechain)
                / nullif(sum(cost_usd), 0) as subagent_cost_share
        from marts.fct_token_usage
        group by all
        order by event_date
        """,
        ("marts.fct_token_usage",),
        _USER_SUBAGENT_SHARE,
        ("marts.fct_token_usage",),
    ),
    "cache_by_day": PanelQuery(
        _CACHE_BY_DAY,
        ("marts.agg_cache_efficiency",),
        _CACHE_BY_DAY,
        ("marts.agg_cache_efficiency",),
    ),
    "cache_by_model": PanelQuery(
        _CACHE_BY_MODEL,
        ("marts.agg_cache_efficiency",),
        _CACHE_BY_MODEL,
        ("marts.agg_cache_efficiency",),
    ),
    "tool_error_classes": PanelQuery(
        _TOOL_ERROR_CLASSES,
        ("marts.fct_tool_errors",),
        _TOOL_ERROR_CLASSES,
        ("marts.fct_tool_errors",),
    ),
    "tool_error_messages": PanelQuery(
        _TOOL_ERROR_MESSAGES,
        ("marts.fct_tool_errors",),
        _TOOL_ERROR_MESSAGES,
        ("marts.fct_tool_errors",),
    ),
    "check_results": PanelQuery(
        f"""
        select asset_key, check_name, passed, severity, evaluated_at
        from {QUALITY_CHECKS}
        order by passed, asset_key, check_name
        """,
        (QUALITY_CHECKS,),
    ),
    "dead_letters": PanelQuery(
        f"""
        select reason, count(*) as entries, min(event_date) as first_date,
            max(event_date) as last_date
        from {QUALITY_DEAD_LETTERS}
        group by all
        order by entries desc
        """,
        (QUALITY_DEAD_LETTERS,),
    ),
    "freshness": PanelQuery(
        f"""
        select
            f.asset_key,
            f.last_materialized_at,
            round(epoch(i.built_at - f.last_materialized_at) / 3600, 2) as hours_old_at_snapshot,
            f.latest_data_at
        from {QUALITY_FRESHNESS} as f
        cross join {SNAPSHOT_INFO} as i
        order by f.asset_key
        """,
        (QUALITY_FRESHNESS, SNAPSHOT_INFO),
    ),
}

SUMMARY_SQL = f"""
    select
        count(*) as api_responses,
        count(distinct session_id) as sessions,
        sum({TOTAL_TOKENS_SQL}) as total_tokens,
        sum(cost_usd) as cost_usd,
        sum(unpriced_tokens) as unpriced_tokens,
        min(event_date) as first_date,
        max(event_date) as last_date,
        count(distinct event_date) as active_days
    from marts.fct_token_usage
"""
USER_SUMMARY_SQL = SUMMARY_SQL + "    where user_id = $user\n"


def existing_relations(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """`schema.table` -> its column names, for every relation the readers may use."""
    rows = con.execute(
        """
        select table_schema || '.' || table_name, list(column_name)
        from information_schema.columns
        where table_schema in ('marts', 'quality')
        group by all
        """
    ).fetchall()
    return {name: set(columns) for name, columns in rows}


def splits_by_user(query: PanelQuery, relations: Mapping[str, set[str]]) -> bool:
    """Whether the snapshot can answer the panel for one person."""
    return (
        query.user_sql is not None
        and not missing_for(query.user_needs, relations)
        and all("user_id" in relations[relation] for relation in query.user_needs)
    )


def query_parameters(sql: str, user: str | None) -> dict[str, str | None] | None:
    """`$user` for the queries that take it (DuckDB refuses parameters a query lacks)."""
    return {"user": user} if "$user" in sql else None


def missing_for(needs: tuple[str, ...], relations: Mapping[str, set[str]]) -> list[str]:
    """What a query lacks: absent relations, or `relation.column` the contract expects."""
    missing: list[str] = []
    for relation in needs:
        if relation not in relations:
            missing.append(relation)
            continue
        expected = MART_CONTRACT.get(relation, ())
        missing += [f"{relation}.{c}" for c in expected if c not in relations[relation]]
    return missing


def token_report_sql(
    period_sql: str,
    extra_sql: str = "",
    dimension_sql: str = "model",
    user_filter: bool = False,
) -> str:
    """Token and cost totals per period (and per value of the breakdown dimension: model,
    user, machine, project or branch) from one row per API response.

    `period_sql`, `extra_sql` and `dimension_sql` are fixed expressions chosen by the report
    kind and options, never user text; the user's filters and time zone are bound
    parameters. The user filter is only written when asked for, so snapshots from before
    the user columns still answer the other reports.
    """
    sums = ",\n            ".join(f"sum({c}) as {c}" for c in TOKEN_COLUMNS)
    by_user = "\n                and contains(user_id, $user)" if user_filter else ""
    return f"""
        with usage as (
            select *, model_id as model, timezone($timezone, responded_at::timestamptz) as local_at
            from marts.fct_token_usage
        ),
        filtered as (
            select {period_sql} as period, {dimension_sql} as dimension, *
            from usage
            where ($since is null or local_at::date >= $since)
                and ($until is null or local_at::date <= $until)
                and ($project is null or contains(project_id, $project)){by_user}
        )
        select
            period,
            dimension,
            grouping(dimension) = 1 as is_total,
            list(distinct model order by model) as models,
            {sums},
            sum({TOTAL_TOKENS_SQL}) as total_tokens,
            sum(cost_usd) as cost_usd,
            sum(unpriced_tokens) as unpriced_tokens,
            coalesce(
                list(distinct model order by model) filter (where unpriced_tokens > 0), []
            ) as unpriced_models{extra_sql}
        from filtered
        group by grouping sets ((period), (period, dimension))
        order by period, is_total desc, dimension
    """


BLOCKS_REPORT_SQL = f"""
    select
        strftime(timezone($timezone, block_started_at::timestamptz), '%Y-%m-%d %H:%M') as period,
        strftime(timezone($timezone, block_ends_at::timestamptz), '%Y-%m-%d %H:%M') as block_end,
        {", ".join(TOKEN_COLUMNS)},
        total_tokens,
        cost_usd,
        unpriced_tokens,
        unpriced_models
    from {USAGE_BLOCKS}
    where ($since is null or timezone($timezone, block_started_at::timestamptz)::date >= $since)
        and ($until is null or timezone($timezone, block_started_at::timestamptz)::date <= $until)
    order by block_started_at
"""
