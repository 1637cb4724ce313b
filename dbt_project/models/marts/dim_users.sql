-- Who uses Claude Code, from the identity a sync stamps (userId, hostname) or a JSONL run's
-- own user; '(unknown)' gathers the entries synced without one.
with sessions as (

    select * from {{ ref('dim_sessions') }}

),

usage as (

    select * from {{ ref('fct_token_usage') }}

),

session_totals as (

    select
        user_id,
        list(distinct hostname order by hostname) as hostnames,
        count(distinct hostname) as machines,
        count(*) as sessions,
        count(distinct project_id) as projects,
        count(distinct session_date) as active_days,
        min(started_at) as first_seen_at,
        max(ended_at) as last_seen_at,
        sum(prompts)::bigint as prompts,
        sum(tool_calls)::bigint as tool_calls,
        sum(tool_errors)::bigint as tool_errors
    from sessions
    group by user_id

),

usage_totals as (

    select
        user_id,
        count(*) as api_responses,
        sum(total_tokens)::bigint as total_tokens,
        sum(cost_usd) as cost_usd,
        sum(unpriced_tokens)::bigint as unpriced_tokens
    from usage
    group by user_id

),

final as (

    select
        coalesce(session_totals.user_id, usage_totals.user_id) as user_id,
        coalesce(session_totals.user_id, usage_totals.user_id) <> '(unknown)' as is_identified,
        coalesce(session_totals.hostnames, []) as hostnames,
        coalesce(session_totals.machines, 0) as machines,
        coalesce(session_totals.sessions, 0) as sessions,
        coalesce(session_totals.projects, 0) as projects,
        coalesce(session_totals.active_days, 0) as active_days,
        session_totals.first_seen_at,
        session_totals.last_seen_at,
        coalesce(session_totals.prompts, 0) as prompts,
        coalesce(session_totals.tool_calls, 0) as tool_calls,
        coalesce(session_totals.tool_errors, 0) as tool_errors,
        coalesce(usage_totals.api_responses, 0) as api_responses,
        coalesce(usage_totals.total_tokens, 0) as total_tokens,
        coalesce(usage_totals.cost_usd, 0) as cost_usd,
        coalesce(usage_totals.unpriced_tokens, 0) as unpriced_tokens
    from session_totals
    full outer join usage_totals using (user_id)

)

select * from final
