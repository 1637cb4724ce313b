-- What slash commands and skills cost: the responses of the turn a slash command opened
-- (until the next prompt or command), and of a turn from the Skill call on. The two kinds
-- overlap (a command can invoke a skill) and neither covers plain prompts, so each kind
-- adds up to part of the whole cost.
with turns as (

    select * from {{ ref('int_response_turns') }}

),

usage as (

    select * from {{ ref('fct_token_usage') }}

),

attributed as (

    select
        'slash_command' as command_kind,
        turns.slash_command as command_name,
        turns.turn_entry_id as invocation_id,
        usage.*
    from turns
    inner join usage using (response_id)
    where turns.turn_kind = 'slash_command' and turns.slash_command is not null
    union all by name
    select
        'skill' as command_kind,
        turns.skill_name as command_name,
        turns.skill_tool_use_id as invocation_id,
        usage.*
    from turns
    inner join usage using (response_id)
    where turns.skill_name is not null

),

final as (

    select
        event_date,
        user_id,
        project_id,
        command_kind,
        command_name,
        count(distinct invocation_id) as invocations,
        count(distinct session_id) as sessions,
        count(*) as api_responses,
        {{ usage_sums() }}
    from attributed
    group by event_date, user_id, project_id, command_kind, command_name

)

select * from final
