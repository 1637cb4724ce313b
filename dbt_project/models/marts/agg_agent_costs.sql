-- The main conversation against each kind of subagent (the Task call's subagent_type):
-- every response is in exactly one row, so the rows add up to the whole cost.
with usage as (

    select * from {{ ref('fct_token_usage') }}

),

agents as (

    select
        *,
        case
            when not is_sidechain then 'main'
            else coalesce(subagent_type, '(unknown type)')
        end as agent_type
    from usage

),

final as (

    select
        event_date,
        user_id,
        project_id,
        agent_type,
        model_id,
        bool_or(is_sidechain) as is_subagent,
        count(*) as api_responses,
        count(distinct agent_id) filter (where is_sidechain) as subagent_runs,
        count(distinct session_id) as sessions,
        {{ usage_sums() }}
    from agents
    group by event_date, user_id, project_id, agent_type, model_id

)

select * from final
