-- Prompt cache per day: hit rate, the 1-hour share of writes, savings against list price.
-- The mart carries user_id: $user null is everyone.
select
    event_date,
    sum(cache_read_input_tokens) / nullif(sum(input_side_tokens), 0) as cache_hit_rate,
    sum(cache_creation_1h_input_tokens)
    / nullif(sum(cache_creation_input_tokens), 0) as cache_write_1h_share,
    sum(cache_savings_usd) as cache_savings_usd
from marts.agg_cache_efficiency
where $user is null or user_id = $user
group by all
order by event_date
