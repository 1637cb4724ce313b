with sessions as (

    select * from {{ ref('dim_sessions') }}

),

final as (

    select
        session_date,
        count(*) as sessions,
        sum(duration_seconds) as total_duration_seconds,
        sum(active_seconds) as total_active_seconds,
        avg(duration_seconds) as avg_duration_seconds,
        median(duration_seconds) as median_duration_seconds,
        avg(active_seconds) as avg_active_seconds,
        sum(prompts)::bigint as prompts,
        avg(prompts) as avg_prompts_per_session,
        sum(api_responses)::bigint as api_responses,
        sum(tool_calls)::bigint as tool_calls,
        sum(tool_errors)::bigint as tool_errors,
        sum(total_tokens)::bigint as total_tokens,
        sum(cost_usd) as cost_usd,
        avg(cost_usd) as avg_cost_per_session_usd,
        count(*) filter (where subagent_responses > 0) as sessions_with_subagents
    from sessions
    group by session_date

)

select * from final
