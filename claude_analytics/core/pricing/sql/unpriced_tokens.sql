-- Tokens of responses no price applied to, per model: what the cost leaves out.
select
    model_id,
    count(*) as api_responses,
    sum(unpriced_tokens)::bigint as unpriced_tokens
from marts.fct_token_usage
where unpriced_tokens > 0
group by model_id
order by unpriced_tokens desc, model_id asc
