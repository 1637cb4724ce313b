-- The dashboard's headline figures, over every API response or one person's
-- (core/serving/queries.py fills `user_filter`).
select
    count(*) as api_responses,
    count(distinct session_id) as sessions,
    sum(
        coalesce(input_tokens, 0)
        + coalesce(output_tokens, 0)
        + coalesce(cache_creation_input_tokens, 0)
        + coalesce(cache_read_input_tokens, 0)
    ) as total_tokens,
    sum(cost_usd) as cost_usd,
    sum(unpriced_tokens) as unpriced_tokens,
    min(event_date) as first_date,
    max(event_date) as last_date,
    count(distinct event_date) as active_days
from marts.fct_token_usage
where ${user_filter}
