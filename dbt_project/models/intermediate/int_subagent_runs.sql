-- Incremental (see macros/incremental.sql): a build re-derives the runs of the sessions
-- whose entries or tool calls changed (macros/subagents.sql).
{{
    config(
        unique_key='agent_id',
        pre_hook="{{ delete_changed_run_sessions() }}",
    )
}}

with entries as (

    select
        session_id,
        agent_id,
        parent_tool_use_id,
        entry_type,
        is_sidechain,
        event_at,
        event_date
    from {{ ref('stg_entries') }}
    where
        agent_id is not null
        and not is_duplicate
        and (is_sidechain or entry_type = 'progress')
        {% if is_incremental() %}
        and session_id in ({{ changed_run_sessions() }})
        {% endif %}

),

task_calls as (

    -- Task (renamed Agent in later versions) starts a subagent; newer results name it
    select
        tool_use_id,
        session_id,
        tool_input ->> '$.subagent_type' as subagent_type,
        tool_input ->> '$.description' as description,
        tool_use_result ->> '$.agentId' as result_agent_id
    from {{ ref('stg_tool_calls') }}
    where
        tool_name in ('Task', 'Agent')
        {% if is_incremental() %}
        and session_id in ({{ changed_run_sessions() }})
        {% endif %}

),

agents as (

    -- every subagent the session's entries name, with the tool call its echoes point at;
    -- only the parent session's echoes: progress inside the subagent's own file (a Bash
    -- call's output) points at the subagent's own tool call, not at its Task
    select
        agent_id,
        arg_min(session_id, (event_at, session_id)) as session_id,
        min(parent_tool_use_id) filter (
            where entry_type = 'progress' and not is_sidechain
        ) as echo_parent_tool_use_id,
        count(*) filter (where is_sidechain) as subagent_entries,
        count(*) filter (where entry_type = 'progress' and not is_sidechain) as progress_entries,
        min(event_at) as started_at,
        max(event_at) as ended_at,
        min(event_date) as event_date
    from entries
    group by agent_id

),

final as (

    select
        agents.agent_id,
        agents.session_id,
        coalesce(agents.echo_parent_tool_use_id, by_result.tool_use_id) as parent_tool_use_id,
        coalesce(by_echo.subagent_type, by_result.subagent_type) as subagent_type,
        coalesce(by_echo.description, by_result.description) as description,
        agents.subagent_entries,
        agents.progress_entries,
        agents.subagent_entries > 0 as has_subagent_file,
        agents.started_at,
        agents.ended_at,
        agents.event_date,
        {{ build_loaded_at() }} as _loaded_at
    from agents
    left join task_calls as by_echo
        on agents.echo_parent_tool_use_id = by_echo.tool_use_id
    left join task_calls as by_result
        on agents.agent_id = by_result.result_agent_id
    qualify row_number() over (partition by agents.agent_id order by by_result.tool_use_id) = 1

)

select * from final
