-- Incremental (see macros/incremental.sql): the responses that changed are priced again.
{{
    config(
        unique_key='response_id',
        pre_hook="{{ delete_changed_keys('response_id', 'stg_api_responses', 'response_id') }}",
    )
}}

with responses as (

    select * from {{ ref('stg_api_responses') }}
    {% if is_incremental() %}
    where {{ changed_since_previous_build() }}
    {% endif %}

),

prices as (

    select * from {{ ref('model_pricing') }}

),

priced as (

    -- the price in force on the response's day: the latest valid_from not after it
    select
        responses.*,
        prices.valid_from as price_valid_from,
        prices.input_per_mtok,
        prices.output_per_mtok,
        prices.cache_write_5m_per_mtok,
        prices.cache_write_1h_per_mtok,
        prices.cache_read_per_mtok
    from responses
    left join prices
        on responses.model = prices.model_id
        and prices.valid_from <= responses.event_date
    qualify row_number() over (
        partition by responses.response_id order by prices.valid_from desc nulls last
    ) = 1

),

costed as (

    select
        *,
        price_valid_from is not null as is_priced,
        coalesce(input_tokens * input_per_mtok / 1e6, 0) as input_cost_usd,
        coalesce(output_tokens * output_per_mtok / 1e6, 0) as output_cost_usd,
        coalesce(
            cache_creation_5m_input_tokens * cache_write_5m_per_mtok / 1e6
            + cache_creation_1h_input_tokens * cache_write_1h_per_mtok / 1e6,
            0
        ) as cache_write_cost_usd,
        coalesce(cache_read_input_tokens * cache_read_per_mtok / 1e6, 0) as cache_read_cost_usd
    from priced

),

final as (

    select
        * exclude (
            _loaded_at, input_per_mtok, output_per_mtok, cache_write_5m_per_mtok,
            cache_write_1h_per_mtok, cache_read_per_mtok
        ),
        input_cost_usd + output_cost_usd + cache_write_cost_usd + cache_read_cost_usd as cost_usd,
        {{ build_loaded_at() }} as _loaded_at
    from costed

)

select * from final
