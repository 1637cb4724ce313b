-- Per model, the cost of the responses that paid a context tier, three ways: as priced
-- (the whole request at the tier, as genai-prices and Anthropic bill it), at the base price
-- (a table without the tier), and tiered per token type past 200k tokens of that type
-- (ccusage's rule). The rest of the cost is the same on every side.
with tiered as (
    select
        usage.model_id,
        usage.cost_usd,
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_creation_5m_input_tokens,
        usage.cache_creation_1h_input_tokens,
        usage.cache_read_input_tokens,
        base.input_per_mtok as base_input,
        base.output_per_mtok as base_output,
        base.cache_write_5m_per_mtok as base_write_5m,
        base.cache_write_1h_per_mtok as base_write_1h,
        base.cache_read_per_mtok as base_read,
        tier.input_per_mtok as tier_input,
        tier.output_per_mtok as tier_output,
        tier.cache_write_5m_per_mtok as tier_write_5m,
        tier.cache_write_1h_per_mtok as tier_write_1h,
        tier.cache_read_per_mtok as tier_read,
        tier.input_tokens_above as threshold
    from marts.fct_token_usage as usage
    inner join reference.model_prices as tier
        on usage.price_provider_id = tier.provider_id
        and usage.price_model_id = tier.price_model_id
        and usage.price_valid_from = tier.valid_from
        and usage.price_tier_input_tokens_above = tier.input_tokens_above
    inner join reference.model_prices as base
        on base.provider_id = tier.provider_id
        and base.price_model_id = tier.price_model_id
        and base.valid_from = tier.valid_from
        and base.input_tokens_above = 0
    where usage.price_tier_input_tokens_above > 0
),

variants as (
    select
        model_id,
        cost_usd as as_priced,
        (
            input_tokens * base_input + output_tokens * base_output
            + cache_creation_5m_input_tokens * base_write_5m
            + cache_creation_1h_input_tokens * base_write_1h
            + cache_read_input_tokens * base_read
        ) / 1e6 as at_base_price,
        (
            least(input_tokens, threshold) * base_input
            + greatest(input_tokens - threshold, 0) * tier_input
            + least(output_tokens, threshold) * base_output
            + greatest(output_tokens - threshold, 0) * tier_output
            + least(cache_creation_5m_input_tokens, threshold) * base_write_5m
            + greatest(cache_creation_5m_input_tokens - threshold, 0) * tier_write_5m
            + least(cache_creation_1h_input_tokens, threshold) * base_write_1h
            + greatest(cache_creation_1h_input_tokens - threshold, 0) * tier_write_1h
            + least(cache_read_input_tokens, threshold) * base_read
            + greatest(cache_read_input_tokens - threshold, 0) * tier_read
        ) / 1e6 as tiered_per_token_type
    from tiered
)

select
    model_id,
    count(*) as responses,
    sum(as_priced),
    sum(at_base_price),
    sum(tiered_per_token_type)
from variants
group by model_id
order by model_id
