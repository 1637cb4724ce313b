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

    select
        *,
        input_tokens + cache_creation_input_tokens + cache_read_input_tokens
            as request_input_tokens
    from {{ ref('stg_api_responses') }}
    where {{ in_scope }}

),

matches as (

    select * from {{ source('reference', 'model_matches') }}

),

price_tiers as (

    -- each price row as ranges, so that each response finds at most one row by a hash join
    -- on the model and range conditions, with no ranking per response: the period's days,
    -- and the request inputs that pay this tier (above its threshold, the base tier from 0,
    -- up to the next tier's threshold). Ranking every response's candidate rows and
    -- joining back to the wide rows ran out of DuckDB's 1 GB at 10M entries (2.5M
    -- responses); written with `or`, the conditions made DuckDB loop over every pair of
    -- response and price row (BENCHMARKS.md).
    select
        *,
        coalesce(valid_to, cast('infinity' as date)) as valid_until,
        case
            when input_tokens_above = 0 then cast(-9223372036854775808 as bigint)
            else input_tokens_above
        end
            as tier_input_tokens_after,
        coalesce(
            lead(input_tokens_above) over (
                partition by provider_id, price_model_id, valid_from, valid_to
                order by input_tokens_above
            ),
            cast(9223372036854775807 as bigint)
        ) as tier_input_tokens_through
    from {{ source('reference', 'model_prices') }}

),

runs as (

    select
        agent_id,
        parent_tool_use_id,
        subagent_type
    from {{ ref('int_subagent_runs') }}

),

priced as (

    -- the price in force on the response's UTC day, at the highest tier its input exceeds;
    -- the context tier is chosen by everything the request sent (uncached, written and
    -- read from the cache), per request, as the library and Anthropic bill it
    select
        responses.* exclude (responses.request_input_tokens),
        matches.provider_id as price_provider_id,
        matches.price_model_id,
        responses.request_input_tokens,
        tiers.valid_from as price_valid_from,
        tiers.input_tokens_above as price_tier_input_tokens_above,
        tiers.input_per_mtok,
        tiers.output_per_mtok,
        tiers.cache_write_5m_per_mtok,
        tiers.cache_write_1h_per_mtok,
        tiers.cache_read_per_mtok
    from responses
    left join matches
        on responses.model = matches.model_id
    left join price_tiers as tiers
        on matches.provider_id = tiers.provider_id
        and matches.price_model_id = tiers.price_model_id
        and responses.event_date >= tiers.valid_from
        and responses.event_date < tiers.valid_until
        -- a request with no input total pays the base tier
        and coalesce(responses.request_input_tokens, 0) > tiers.tier_input_tokens_after
        and coalesce(responses.request_input_tokens, 0) <= tiers.tier_input_tokens_through

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
            costed._loaded_at,
            costed.parent_tool_use_id,
            costed.input_per_mtok,
            costed.output_per_mtok,
            costed.cache_write_5m_per_mtok,
            costed.cache_write_1h_per_mtok,
            costed.cache_read_per_mtok
        ),
        -- an echo names its Task call; a subagent file's response is found by its agent
        coalesce(costed.parent_tool_use_id, runs.parent_tool_use_id) as parent_tool_use_id,
        runs.subagent_type,
        costed.input_cost_usd
        + costed.output_cost_usd
        + costed.cache_write_cost_usd
        + costed.cache_read_cost_usd as cost_usd,
        {{ build_loaded_at() }} as _loaded_at
    from costed
    -- one equality, so DuckDB hashes the join: `agent_id = agent_id and is_sidechain`
    -- was planned as a nested loop over responses x runs (2.5M x 103k at 10M entries)
    left join runs
        on runs.agent_id = if(costed.is_sidechain, costed.agent_id, null)

)

select * from final
