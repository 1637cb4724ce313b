-- `report tools`: what calling each tool costs (its calling responses split evenly).
with filtered as (

    select * from marts.agg_tool_costs
    where
        ($since is null or event_date >= $since)
        and ($until is null or event_date <= $until)
        and ($project is null or contains(project_id, $project))
        and ($user is null or contains(user_id, $user))

)

select
    tool_name,
    any_value(mcp_server) as mcp_server,
    sum(calls)::bigint as calls,
    sum(errors)::bigint as errors,
    sum(errors) / nullif(sum(calls), 0) as error_rate,
    sum(attributed_total_tokens) as attributed_total_tokens,
    sum(attributed_cost_usd) as attributed_cost_usd,
    sum(attributed_cost_usd) / nullif(sum(sum(attributed_cost_usd)) over (), 0) as cost_share,
    sum(result_characters)::bigint as result_characters
from filtered
group by tool_name
order by attributed_cost_usd desc, tool_name asc
