with responses as (

    select * from {{ ref('stg_api_responses') }}

),

prices as (

    select * from {{ ref('model_pricing') }}

),

models as (

    select model as model_id from responses where model is not null
    union
    select model_id from prices

),

current_prices as (

    select *
    from prices
    qualify row_number() over (partition by model_id order by valid_from desc) = 1

),

usage as (

    select
        model as model_id,
        min(entry_at) as first_used_at,
        max(entry_at) as last_used_at,
        count(*) as api_responses
    from responses
    group by model

),

final as (

    select
        models.model_id,
        case
            when models.model_id like '%opus%' then 'opus'
            when models.model_id like '%sonnet%' then 'sonnet'
            when models.model_id like '%haiku%' then 'haiku'
            when models.model_id = '<synthetic>' then 'synthetic'
            else 'other'
        end as model_family,
        -- Claude Code writes '<synthetic>' for API errors it reports itself: no tokens billed
        models.model_id = '<synthetic>' as is_synthetic,
        current_prices.model_id is not null as is_priced,
        current_prices.valid_from as price_valid_from,
        current_prices.input_per_mtok,
        current_prices.output_per_mtok,
        current_prices.cache_write_5m_per_mtok,
        current_prices.cache_write_1h_per_mtok,
        current_prices.cache_read_per_mtok,
        usage.first_used_at,
        usage.last_used_at,
        coalesce(usage.api_responses, 0) as api_responses
    from models
    left join current_prices using (model_id)
    left join usage using (model_id)

)

select * from final
