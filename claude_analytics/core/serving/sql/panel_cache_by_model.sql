-- Prompt cache by model: hit rate, 5-minute and 1-hour writes, cost and savings.
-- The mart carries user_id: $user null is everyone.
select
    model_id as model,  -- noqa: RF04
    sum(api_responses) as responses,
    sum(cache_read_input_tokens) / nullif(sum(input_side_tokens), 0) as hit_rate,
    sum(cache_creation_5m_input_tokens) as writes_5m,
    sum(cache_creation_1h_input_tokens) as writes_1h,
    sum(input_side_cost_usd) as input_cost_usd,
    sum(list_price_input_cost_usd) as list_price_usd,
    sum(cache_savings_usd) as saved_usd
from marts.agg_cache_efficiency
where $user is null or user_id = $user
group by all
order by saved_usd desc nulls last, model asc
