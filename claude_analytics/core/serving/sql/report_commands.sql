-- `report commands`: slash commands and skills, the responses of the turns they drove.
with filtered as (

    select * from marts.agg_command_costs
    where
        ($since is null or event_date >= $since)
        and ($until is null or event_date <= $until)
        and ($project is null or contains(project_id, $project))
        and ($user is null or contains(user_id, $user))

)

select
    command_kind,
    command_name,
    sum(invocations)::bigint as invocations,
    sum(api_responses)::bigint as api_responses,
    sum(total_tokens)::bigint as total_tokens,
    sum(cost_usd) as cost_usd,
    sum(cost_usd) / nullif(sum(invocations), 0) as cost_per_invocation_usd
from filtered
group by command_kind, command_name
order by command_kind asc, cost_usd desc, command_name asc
