-- `report mcp`: MCP servers, from their tools' rows in marts.agg_tool_costs.
with filtered as (

    select * from marts.agg_tool_costs
    where
        is_mcp
        and ($since is null or event_date >= $since)
        and ($until is null or event_date <= $until)
        and ($project is null or contains(project_id, $project))
        and ($user is null or contains(user_id, $user))

)

select
    mcp_server,
    count(distinct tool_name) as tools,
    sum(calls)::bigint as calls,
    sum(errors)::bigint as errors,
    sum(errors) / nullif(sum(calls), 0) as error_rate,
    sum(attributed_total_tokens) as attributed_total_tokens,
    sum(attributed_cost_usd) as attributed_cost_usd,
    sum(result_characters)::bigint as result_characters
from filtered
group by mcp_server
order by attributed_cost_usd desc, mcp_server asc
