-- Incremental (see macros/incremental.sql, macros/attribution.sql): the sessions whose
-- responses, messages or tool calls changed are attributed again, all of their responses.
{{
    config(
        unique_key='response_id',
        pre_hook="{{ delete_changed_turn_sessions() }}",
    )
}}

{% set in_changed_sessions %}
{% if is_incremental() %}
    and session_id in ({{ changed_turn_sessions() }})
{% endif %}
{% endset %}

with responses as (

    select
        response_id,
        session_id,
        event_at,
        event_date
    from {{ ref('int_token_costs') }}
    where
        session_id is not null
        {{ in_changed_sessions }}

),

openers as (

    -- a turn opens with what a person sent in the main conversation: a prompt or a slash
    -- command (the subagent's own prompts belong to the turn that started the subagent)
    select
        session_id,
        entry_id as turn_entry_id,
        event_at as turn_started_at,
        message_kind as turn_kind,
        slash_command
    from {{ ref('int_messages') }}
    where
        message_kind in ('prompt', 'slash_command')
        and not is_sidechain
        {{ in_changed_sessions }}

),

skill_calls as (

    -- Claude invoking a skill (the Skill tool; `command` in versions before `skill`)
    select
        session_id,
        tool_use_id as skill_tool_use_id,
        called_at as skill_called_at,
        coalesce(tool_input ->> '$.skill', tool_input ->> '$.command') as skill_name
    from {{ ref('stg_tool_calls') }}
    where
        tool_name = 'Skill'
        {{ in_changed_sessions }}

),

turns as (

    -- each response belongs to the latest turn opened at or before it (subagents' too: they
    -- share the parent's session id and run inside its turn)
    select
        responses.*,
        openers.turn_entry_id,
        openers.turn_started_at,
        openers.turn_kind,
        openers.slash_command
    from responses
    asof left join openers
        on responses.session_id = openers.session_id
        and responses.event_at >= openers.turn_started_at

),

skills as (

    -- and to the latest skill invoked at or before it, when that was in the same turn
    select
        turns.*,
        skill_calls.skill_tool_use_id,
        skill_calls.skill_called_at,
        skill_calls.skill_name
    from turns
    asof left join skill_calls
        on turns.session_id = skill_calls.session_id
        and turns.event_at >= skill_calls.skill_called_at

),

final as (

    select
        response_id,
        session_id,
        event_at,
        event_date,
        turn_entry_id,
        turn_started_at,
        turn_kind,
        slash_command,
        case
            when skill_called_at >= coalesce(turn_started_at, '-infinity'::timestamptz)
                then skill_tool_use_id
        end as skill_tool_use_id,
        case
            when skill_called_at >= coalesce(turn_started_at, '-infinity'::timestamptz)
                then skill_name
        end as skill_name,
        {{ build_loaded_at() }} as _loaded_at
    from skills

)

select * from final
