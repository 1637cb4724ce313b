{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_run_window() }}",
        on_schema_change='fail',
    )
}}

with messages as (

    select * from {{ ref('int_messages') }}
    {% if is_incremental() %}
    where {{ in_run_window('event_date') }}
    {% endif %}

),

final as (

    select * from messages

)

select * from final
