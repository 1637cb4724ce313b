with sessions as (

    select * from {{ ref('int_sessions') }}

),

final as (

    select * from sessions

)

select * from final
