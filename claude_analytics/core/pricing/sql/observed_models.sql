-- Every model id the raw entries of the days `$days` name (every day if `$all`): assistant
-- entries' message.model, and the model of responses a subagent echoed into its parent
-- session (agent_progress entries). Reading `raw_json` of every progress entry is the costly
-- part (~15 s at 10M entries), hence per day and only for the days that changed.
insert into reference.observed_models
with named as (

    select
        event_date,
        model as model_id
    from raw.conversations
    where
        model is not null
        and ($all or (event_date between $first and $last and list_contains($days, event_date)))
    union all
    select
        event_date,
        json_extract_string(raw_json, '$.data.message.message.model') as model_id
    from raw.conversations
    where
        entry_type = 'progress'
        and json_extract_string(raw_json, '$.data.message.message.model') is not null
        and ($all or (event_date between $first and $last and list_contains($days, event_date)))

)

select distinct
    event_date,
    model_id
from named
