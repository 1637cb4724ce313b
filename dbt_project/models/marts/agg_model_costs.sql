with usage as (

    select * from {{ ref('fct_token_usage') }}

),

final as (

    select
        event_date,
        model_id,
        count(*) as api_responses,
        sum(input_tokens)::bigint as input_tokens,
        sum(output_tokens)::bigint as output_tokens,
        sum(cache_creation_input_tokens)::bigint as cache_creation_input_tokens,
        sum(cache_creation_5m_input_tokens)::bigint as cache_creation_5m_input_tokens,
        sum(cache_creation_1h_input_tokens)::bigint as cache_creation_1h_input_tokens,
        sum(cache_read_input_tokens)::bigint as cache_read_input_tokens,
        sum(total_tokens)::bigint as total_tokens,
        sum(cost_usd) as cost_usd,
        sum(unpriced_tokens)::bigint as unpriced_tokens,
        bool_and(is_priced) as is_priced
    from usage
    group by event_date, model_id

)

select * from final
