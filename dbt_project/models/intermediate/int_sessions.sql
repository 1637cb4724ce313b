-- Incremental (see macros/incremental.sql): the sessions whose entries, responses or tool
-- calls changed are summed again, over all of their rows.
{{
    config(
        unique_key='session_id',
        pre_hook="{{ delete_changed_sessions() }}",
    )
}}

{% set in_changed_sessions %}
{% if is_incremental() %}
    and session_id in ({{ changed_sessions() }})
{% endif %}
{% endset %}

{% set idle_gap_seconds = 30 * 60 %}

with entries as (

    -- only the columns used: this CTE is read twice, so it is materialised
    select
        entry_id,
        session_id,
        project_id,
        user_id,
        hostname,
        cwd,
        git_branch,
        claude_code_version,
        entry_at
    from {{ ref('stg_entries') }}
    where
        not is_duplicate
        and session_id is not null
        and entry_at is not null
        {{ in_changed_sessions }}

),

messages as (

    select * from {{ ref('int_messages') }}
    where true {{ in_changed_sessions }}

),

responses as (

    select * from {{ ref('int_token_costs') }}
    where true {{ in_changed_sessions }}

),

tool_calls as (

    select * from {{ ref('stg_tool_calls') }}
    where true {{ in_changed_sessions }}

),

gaps as (

    select
        session_id,
        entry_at,
        -- whole microseconds, so the sum is exact and the same on every run
        date_diff(
            'microsecond',
            lag(entry_at) over (partition by session_id order by entry_at, entry_id),
            entry_at
        ) as gap_us
    from entries

),

timing as (

    -- active time: the gaps between consecutive entries, except idle gaps over 30 minutes
    select
        session_id,
        min(entry_at) as started_at,
        max(entry_at) as ended_at,
        coalesce(sum(gap_us) filter (where gap_us <= {{ idle_gap_seconds }} * 1000000), 0) / 1e6
            as active_seconds,
        count(*) filter (where gap_us > {{ idle_gap_seconds }} * 1000000) as idle_gaps
    from gaps
    group by session_id

),

context as (

    -- where the session began, and the version it ended on; ties broken by entry id so
    -- every rebuild picks the same row
    select
        session_id,
        arg_min(project_id, (entry_at, entry_id)) as project_id,
        arg_min(user_id, (entry_at, entry_id)) as user_id,
        arg_min(hostname, (entry_at, entry_id)) as hostname,
        arg_min(cwd, (entry_at, entry_id)) as cwd,
        arg_max(claude_code_version, (entry_at, entry_id)) as claude_code_version,
        count(*) as entries
    from entries
    group by session_id

),

branch_counts as (

    select
        session_id,
        git_branch,
        count(*) as entries
    from entries
    where git_branch is not null
    group by session_id, git_branch

),

branches as (

    -- the branch most of the session ran on
    select
        session_id,
        arg_max(git_branch, (entries, git_branch)) as git_branch
    from branch_counts
    group by session_id

),

message_counts as (

    select
        session_id,
        count(*) filter (where is_prompt) as prompts,
        count(*) filter (where is_interruption) as interruptions,
        count(*) filter (where message_kind = 'slash_command') as slash_commands,
        count(*) filter (where is_api_error_message) as api_errors
    from messages
    where session_id is not null
    group by session_id

),

usage as (

    select
        session_id,
        count(*) as api_responses,
        count(*) filter (where is_sidechain) as subagent_responses,
        sum(input_tokens)::bigint as input_tokens,
        sum(output_tokens)::bigint as output_tokens,
        sum(cache_creation_input_tokens)::bigint as cache_creation_input_tokens,
        sum(cache_read_input_tokens)::bigint as cache_read_input_tokens,
        sum(total_tokens)::bigint as total_tokens,
        (sum(total_tokens) filter (where is_sidechain))::bigint as subagent_tokens,
        sum(cost_usd) as cost_usd,
        string_agg(distinct model, ', ' order by model) filter (where model <> '<synthetic>')
            as models,
        arg_max(model, (total_tokens, model)) filter (where model <> '<synthetic>') as primary_model
    from responses
    where session_id is not null
    group by session_id

),

tools as (

    select
        session_id,
        count(*) as tool_calls,
        count(*) filter (where is_error) as tool_errors
    from tool_calls
    where session_id is not null
    group by session_id

),

final as (

    select
        timing.session_id,
        context.project_id,
        context.user_id,
        context.hostname,
        context.cwd,
        branches.git_branch,
        context.claude_code_version,
        timing.started_at,
        timing.ended_at,
        (timing.started_at at time zone 'UTC')::date as session_date,
        date_diff('millisecond', timing.started_at, timing.ended_at) / 1000.0 as duration_seconds,
        timing.active_seconds,
        timing.idle_gaps,
        context.entries,
        coalesce(message_counts.prompts, 0) as prompts,
        coalesce(message_counts.interruptions, 0) as interruptions,
        coalesce(message_counts.slash_commands, 0) as slash_commands,
        coalesce(message_counts.api_errors, 0) as api_errors,
        coalesce(usage.api_responses, 0) as api_responses,
        coalesce(usage.subagent_responses, 0) as subagent_responses,
        coalesce(tools.tool_calls, 0) as tool_calls,
        coalesce(tools.tool_errors, 0) as tool_errors,
        coalesce(usage.input_tokens, 0) as input_tokens,
        coalesce(usage.output_tokens, 0) as output_tokens,
        coalesce(usage.cache_creation_input_tokens, 0) as cache_creation_input_tokens,
        coalesce(usage.cache_read_input_tokens, 0) as cache_read_input_tokens,
        coalesce(usage.total_tokens, 0) as total_tokens,
        coalesce(usage.cost_usd, 0) as cost_usd,
        usage.models,
        usage.primary_model,
        coalesce(usage.subagent_tokens, 0) / nullif(usage.total_tokens, 0) as subagent_token_share,
        coalesce(usage.subagent_responses, 0) / nullif(usage.api_responses, 0)
            as subagent_response_share,
        {{ build_loaded_at() }} as _loaded_at
    from timing
    inner join context using (session_id)
    left join branches using (session_id)
    left join message_counts using (session_id)
    left join usage using (session_id)
    left join tools using (session_id)

)

select * from final
