-- Daily tokens by model: every kind of token, from the daily mart.
select
    event_date,
    model_id,
    sum(
        coalesce(input_tokens, 0)
        + coalesce(output_tokens, 0)
        + coalesce(cache_creation_input_tokens, 0)
        + coalesce(cache_read_input_tokens, 0)
    ) as total_tokens
from marts.agg_model_costs
group by all
order by event_date, model_id
