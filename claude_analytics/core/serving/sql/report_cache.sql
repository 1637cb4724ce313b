-- `report cache`: hit rate, write mix and savings per $dimension (a fixed column name).
with filtered as (

    select
        *,
        ${dimension} as dimension
    from marts.agg_cache_efficiency
    where
        ($since is null or event_date >= $since)
        and ($until is null or event_date <= $until)
        and ($project is null or contains(project_id, $project))
        and ($user is null or contains(user_id, $user))

)

select
    dimension,
    sum(api_responses)::bigint as api_responses,
    sum(input_side_tokens)::bigint as input_side_tokens,
    sum(cache_read_input_tokens) / nullif(sum(input_side_tokens), 0) as cache_hit_rate,
    sum(cache_creation_1h_input_tokens) / nullif(sum(cache_creation_input_tokens), 0)
        as cache_write_1h_share,
    sum(input_side_cost_usd) as input_side_cost_usd,
    sum(list_price_input_cost_usd) as list_price_input_cost_usd,
    sum(cache_savings_usd) as cache_savings_usd
from filtered
group by dimension
order by dimension
