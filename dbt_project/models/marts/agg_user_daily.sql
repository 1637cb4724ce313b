with usage as (

    select * from {{ ref('fct_token_usage') }}

),

final as (

    select
        event_date,
        user_id,
        hostname,
        count(distinct session_id) as sessions,
        count(distinct project_id) as projects,
        count(*) as api_responses,
        sum(input_tokens)::bigint as input_tokens,
        sum(output_tokens)::bigint as output_tokens,
        sum(cache_creation_input_tokens)::bigint as cache_creation_input_tokens,
        sum(cache_read_input_tokens)::bigint as cache_read_input_tokens,
        sum(total_tokens)::bigint as total_tokens,
        sum(cost_usd) as cost_usd,
        sum(unpriced_tokens)::bigint as unpriced_tokens
    from usage
    group by event_date, user_id, hostname

)

select * from final
