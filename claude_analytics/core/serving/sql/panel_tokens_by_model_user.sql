-- Daily tokens by model for one person ($user): the daily mart is not split by user.
select
    event_date,
    model_id,
    sum(
        coalesce(input_tokens, 0)
        + coalesce(output_tokens, 0)
        + coalesce(cache_creation_input_tokens, 0)
        + coalesce(cache_read_input_tokens, 0)
    ) as total_tokens
from marts.fct_token_usage
where user_id = $user
group by all
order by event_date, model_id
