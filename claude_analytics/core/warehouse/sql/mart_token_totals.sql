-- Responses and the four token totals as marts.fct_token_usage says.
select
    count(*) as responses,
    coalesce(sum(input_tokens), 0) as input_tokens,
    coalesce(sum(output_tokens), 0) as output_tokens,
    coalesce(sum(cache_creation_input_tokens), 0) as cache_creation_input_tokens,
    coalesce(sum(cache_read_input_tokens), 0) as cache_read_input_tokens
from marts.fct_token_usage
