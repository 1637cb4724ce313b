{#
    The token and cost totals every usage rollup carries, summed the same way in each: the
    four token kinds, their total, the cost and the tokens no price covered. One list, so a
    new token kind reaches every rollup at once.
#}
{% macro usage_sums() -%}
sum(input_tokens)::bigint as input_tokens,
        sum(output_tokens)::bigint as output_tokens,
        sum(cache_creation_input_tokens)::bigint as cache_creation_input_tokens,
        sum(cache_read_input_tokens)::bigint as cache_read_input_tokens,
        sum(total_tokens)::bigint as total_tokens,
        sum(cost_usd) as cost_usd,
        sum(unpriced_tokens)::bigint as unpriced_tokens
{%- endmacro %}
