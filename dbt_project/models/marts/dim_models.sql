with responses as (

    select * from {{ ref('stg_api_responses') }}

),

matches as (

    select * from {{ source('reference', 'model_matches') }}

),

prices as (

    select * from {{ source('reference', 'model_prices') }}

),

current_prices as (

    -- the base tier of the latest price period; has_context_tiers tells whether it has more
    select
        provider_id,
        price_model_id,
        arg_max(valid_from, (valid_from, -input_tokens_above)) as price_valid_from,
        arg_max(input_per_mtok, (valid_from, -input_tokens_above)) as input_per_mtok,
        arg_max(output_per_mtok, (valid_from, -input_tokens_above)) as output_per_mtok,
        arg_max(cache_write_5m_per_mtok, (valid_from, -input_tokens_above))
            as cache_write_5m_per_mtok,
        arg_max(cache_write_1h_per_mtok, (valid_from, -input_tokens_above))
            as cache_write_1h_per_mtok,
        arg_max(cache_read_per_mtok, (valid_from, -input_tokens_above)) as cache_read_per_mtok,
        arg_max(source, (valid_from, -input_tokens_above)) as price_source,
        bool_or(input_tokens_above > 0) as has_context_tiers
    from prices
    group by provider_id, price_model_id

),

usage as (

    select
        model as model_id,
        min(entry_at) as first_used_at,
        max(entry_at) as last_used_at,
        count(*) as api_responses,
        sum(total_tokens)::bigint as total_tokens
    from responses
    where model is not null
    group by model

),

final as (

    select
        usage.model_id,
        case
            when usage.model_id like '%opus%' then 'opus'
            when usage.model_id like '%sonnet%' then 'sonnet'
            when usage.model_id like '%haiku%' then 'haiku'
            when usage.model_id = '<synthetic>' then 'synthetic'
            else 'other'
        end as model_family,
        -- Claude Code writes '<synthetic>' for API errors it reports itself: no tokens billed
        usage.model_id = '<synthetic>' as is_synthetic,
        matches.price_model_id is not null as is_priced,
        matches.matched_by,
        matches.provider_id as price_provider_id,
        matches.price_model_id,
        current_prices.price_source,
        current_prices.price_valid_from,
        current_prices.input_per_mtok,
        current_prices.output_per_mtok,
        current_prices.cache_write_5m_per_mtok,
        current_prices.cache_write_1h_per_mtok,
        current_prices.cache_read_per_mtok,
        coalesce(current_prices.has_context_tiers, false) as has_context_tiers,
        usage.first_used_at,
        usage.last_used_at,
        usage.api_responses,
        usage.total_tokens
    from usage
    left join matches using (model_id)
    left join current_prices
        on matches.provider_id = current_prices.provider_id
        and matches.price_model_id = current_prices.price_model_id

)

select * from final
