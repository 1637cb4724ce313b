-- How much of the input side the prompt cache served, and what it saved. Without a cache
-- every input-side token (uncached input, cache writes, cache reads) would be billed at the
-- model's base input price for the request's tier (the list price); the cache bills reads
-- at a tenth of it and writes at 1.25x (5 minutes) or 2x (1 hour). Ratios are per row:
-- recompute them from the sums when rolling rows up.
with usage as (

    select * from {{ ref('fct_token_usage') }}

),

prices as (

    select * from {{ source('reference', 'model_prices') }}

),

priced as (

    -- the very price row each response was costed at (its period and context tier)
    select
        usage.*,
        prices.input_per_mtok
    from usage
    left join prices
        on usage.price_provider_id = prices.provider_id
        and usage.price_model_id = prices.price_model_id
        and usage.price_valid_from = prices.valid_from
        and usage.price_tier_input_tokens_above = prices.input_tokens_above

),

final as (

    select
        event_date,
        user_id,
        project_id,
        model_id,
        count(*) as api_responses,
        sum(input_tokens)::bigint as input_tokens,
        sum(cache_creation_5m_input_tokens)::bigint as cache_creation_5m_input_tokens,
        sum(cache_creation_1h_input_tokens)::bigint as cache_creation_1h_input_tokens,
        sum(cache_creation_input_tokens)::bigint as cache_creation_input_tokens,
        sum(cache_read_input_tokens)::bigint as cache_read_input_tokens,
        sum(input_tokens + cache_creation_input_tokens + cache_read_input_tokens)::bigint
            as input_side_tokens,
        sum(cache_read_input_tokens)
        / nullif(sum(input_tokens + cache_creation_input_tokens + cache_read_input_tokens), 0)
            as cache_hit_rate,
        sum(cache_creation_1h_input_tokens) / nullif(sum(cache_creation_input_tokens), 0)
            as cache_write_1h_share,
        sum(input_cost_usd + cache_write_cost_usd + cache_read_cost_usd) as input_side_cost_usd,
        coalesce(
            sum(
                (input_tokens + cache_creation_input_tokens + cache_read_input_tokens)
                * input_per_mtok / 1e6
            ),
            0
        ) as list_price_input_cost_usd,
        coalesce(sum(cache_read_input_tokens * input_per_mtok / 1e6 - cache_read_cost_usd), 0)
            as cache_read_savings_usd,
        coalesce(
            sum(cache_write_cost_usd - cache_creation_input_tokens * input_per_mtok / 1e6), 0
        ) as cache_write_premium_usd,
        coalesce(
            sum(
                (input_tokens + cache_creation_input_tokens + cache_read_input_tokens)
                * input_per_mtok / 1e6
                - (input_cost_usd + cache_write_cost_usd + cache_read_cost_usd)
            ),
            0
        ) as cache_savings_usd,
        sum(unpriced_tokens)::bigint as unpriced_tokens
    from priced
    group by event_date, user_id, project_id, model_id

)

select * from final
