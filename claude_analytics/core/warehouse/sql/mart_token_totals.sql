-- Responses and the four token totals as marts.fct_token_usage says.
select
    count(*),
    coalesce(sum(input_tokens), 0),
    coalesce(sum(output_tokens), 0),
    coalesce(sum(cache_creation_input_tokens), 0),
    coalesce(sum(cache_read_input_tokens), 0)
from marts.fct_token_usage
