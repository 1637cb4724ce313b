-- Sessions that ran away: spending per active hour far above the median session, or
-- failing most of their tool calls (thresholds: vars in dbt_project.yml). Cost per hour is
-- over active time, and only for sessions active long enough for a rate to mean anything.
with sessions as (

    select
        session_id,
        user_id,
        hostname,
        project_id,
        started_at,
        session_date,
        active_seconds,
        api_responses,
        tool_calls,
        tool_errors,
        cost_usd
    from {{ ref('dim_sessions') }}

),

rates as (

    select
        *,
        case
            when active_seconds >= {{ var('anomaly_session_min_active_minutes') }} * 60
                then cost_usd / (active_seconds / 3600)
        end as cost_per_active_hour,
        tool_errors / nullif(tool_calls, 0) as tool_error_rate
    from sessions

),

baseline as (

    select
        median(cost_per_active_hour) as median_cost_per_active_hour,
        sum(tool_errors) / nullif(sum(tool_calls), 0) as overall_tool_error_rate
    from rates

),

final as (

    select
        rates.*,
        baseline.median_cost_per_active_hour,
        baseline.overall_tool_error_rate,
        rates.cost_per_active_hour / nullif(baseline.median_cost_per_active_hour, 0)
            as cost_rate_ratio,
        coalesce(
            (
                rates.cost_per_active_hour
                >= {{ var('anomaly_session_cost_factor') }} * baseline.median_cost_per_active_hour
            )
            and rates.cost_usd >= {{ var('anomaly_session_min_cost_usd') }},
            false
        ) as is_runaway_cost,
        coalesce(
            rates.tool_calls >= {{ var('anomaly_session_min_tool_calls') }}
            and rates.tool_error_rate >= greatest(
                {{ var('anomaly_session_error_rate') }},
                {{ var('anomaly_session_error_factor') }} * baseline.overall_tool_error_rate
            ),
            false
        ) as is_runaway_errors
    from rates
    cross join baseline

)

select * from final
