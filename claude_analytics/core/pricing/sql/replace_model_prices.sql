-- The whole price table, replaced in one statement from the rows Python built (`new_prices`).
create or replace table reference.model_prices as
select
    provider_id,
    price_model_id,
    model_name,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(input_tokens_above as bigint) as input_tokens_above,
    input_per_mtok,
    output_per_mtok,
    cache_write_5m_per_mtok,
    cache_write_1h_per_mtok,
    cache_read_per_mtok,
    is_cache_write_1h_derived,
    source
from new_prices
order by provider_id, price_model_id, valid_from, input_tokens_above
