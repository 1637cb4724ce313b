-- Incremental (see macros/incremental.sql, macros/pricing.sql): the responses that changed,
-- or whose model's price or subagent run changed, are priced again.
{{
    config(
        unique_key='response_id',
        pre_hook="{{ delete_changed_priced_responses() }}",
    )
}}

{#- the responses this build prices: all of them on a full build -#}
{% set in_scope %}
    {% if is_incremental() %}
        response_id in ({{ changed_priced_responses() }})
    {% else %}
        true
    {% endif %}
{% endset %}

with responses as (

    select * from {{ ref('stg_api_responses') }}
    where {{ in_scope }}

),

response_keys as (

    -- read apart from `responses`, which a second reader would materialise whole
    select
        response_id,
        model,
        event_date,
        input_tokens + cache_creation_input_tokens + cache_read_input_tokens
            as request_input_tokens
    from {{ ref('stg_api_responses') }}
    where {{ in_scope }}

),

matches as (

    select * from {{ source('reference', 'model_matches') }}

),

prices as (

    select * from {{ source('reference', 'model_prices') }}

),

runs as (

    select agent_id, parent_tool_use_id, subagent_type
    from {{ ref('int_subagent_runs') }}

),

response_prices as (

    -- the price in force on the response's UTC day, at the highest tier its input exceeds;
    -- the context tier is chosen by everything the request sent (uncached, written and
    -- read from the cache), per request, as the library and Anthropic bill it. Ranked over
    -- the response's key alone and joined back: a window over every response's columns
    -- ran out of DuckDB's memory at 10M entries (BENCHMARKS.md).
    select
        keys.response_id,
        matches.provider_id as price_provider_id,
        matches.price_model_id,
        keys.request_input_tokens,
        prices.valid_from as price_valid_from,
        prices.input_tokens_above as price_tier_input_tokens_above,
        prices.input_per_mtok,
        prices.output_per_mtok,
        prices.cache_write_5m_per_mtok,
        prices.cache_write_1h_per_mtok,
        prices.cache_read_per_mtok
    from response_keys as keys
    left join matches
        on keys.model = matches.model_id
    left join prices
        on matches.provider_id = prices.provider_id
        and matches.price_model_id = prices.price_model_id
        and prices.valid_from <= keys.event_date
        and (prices.valid_to is null or keys.event_date < prices.valid_to)
        and (
            prices.input_tokens_above = 0
            or keys.request_input_tokens > prices.input_tokens_above
        )
    qualify row_number() over (
        partition by keys.response_id
        order by prices.input_tokens_above desc nulls last
    ) = 1

),

priced as (

    select
        responses.*,
        response_prices.* exclude (response_id)
    from responses
    inner join response_prices using (response_id)

),

costed as (

    select
        *,
        price_valid_from is not null as is_priced,
        case when price_valid_from is null then total_tokens else 0 end as unpriced_tokens,
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
        costed.* exclude (
            _loaded_at, parent_tool_use_id, input_per_mtok, output_per_mtok,
            cache_write_5m_per_mtok, cache_write_1h_per_mtok, cache_read_per_mtok
        ),
        -- an echo names its Task call; a subagent file's response is found by its agent
        coalesce(costed.parent_tool_use_id, runs.parent_tool_use_id) as parent_tool_use_id,
        runs.subagent_type,
        input_cost_usd + output_cost_usd + cache_write_cost_usd + cache_read_cost_usd as cost_usd,
        {{ build_loaded_at() }} as _loaded_at
    from costed
    left join runs
        on costed.agent_id = runs.agent_id
        and costed.is_sidechain

)

select * from final
