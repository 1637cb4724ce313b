-- Incremental (see macros/incremental.sql): rebuilds the rows whose upstream changed.
{{
    config(
        unique_key='entry_id',
        pre_hook="{{ delete_changed_keys('entry_id', 'int_messages', 'entry_id') }}",
    )
}}

with messages as (

    select * from {{ ref('int_messages') }}
    {% if is_incremental() %}
    where {{ changed_since_previous_build() }}
    {% endif %}

),

final as (

    select
        * exclude (_loaded_at),
        {{ build_loaded_at() }} as _loaded_at
    from messages

)

select * from final
