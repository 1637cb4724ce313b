-- Every model id the raw entries name: assistant entries' message.model, and the model of
-- responses a subagent echoed into its parent session (agent_progress entries).
select model as model_id
from raw.conversations
where model is not null
union
select json_extract_string(raw_json, '$.data.message.message.model') as model_id
from raw.conversations
where entry_type = 'progress'
    and json_extract_string(raw_json, '$.data.message.message.model') is not null
order by model_id
