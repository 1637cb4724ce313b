-- `report agents`: the main conversation against each kind of subagent.
with filtered as (

    select * from marts.agg_agent_costs
    where
        ($since is null or event_date >= $since)
        and ($until is null or event_date <= $until)
        and ($project is null or contains(project_id, $project))
        and ($user is null or contains(user_id, $user))

)

select
    agent_type,
    sum(api_responses)::bigint as api_responses,
    sum(subagent_runs)::bigint as subagent_runs,
    sum(total_tokens)::bigint as total_tokens,
    sum(cost_usd) as cost_usd,
    sum(cost_usd) / nullif(sum(sum(cost_usd)) over (), 0) as cost_share,
    sum(unpriced_tokens)::bigint as unpriced_tokens
from filtered
group by agent_type
order by cost_usd desc, agent_type asc
