-- Sessions started in the recent window that spend or fail far above normal
-- (marts.agg_session_outliers).
select
    session_id as anomaly_key,
    session_id,
    user_id,
    hostname,
    project_id,
    strftime(started_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as started_at,
    round(cost_usd, 4) as cost_usd,
    round(active_seconds / 60, 1) as active_minutes,
    round(cost_per_active_hour, 2) as cost_per_active_hour,
    round(median_cost_per_active_hour, 2) as median_cost_per_active_hour,
    round(cost_rate_ratio, 1) as cost_rate_ratio,
    tool_calls,
    tool_errors,
    round(tool_error_rate, 3) as tool_error_rate,
    round(overall_tool_error_rate, 3) as overall_tool_error_rate,
    is_runaway_cost,
    is_runaway_errors
from marts.agg_session_outliers
where
    (is_runaway_cost or is_runaway_errors)
    and session_date > (
        select max(history.session_date) from marts.agg_session_outliers as history
    ) - $recent_days
order by started_at, session_id
