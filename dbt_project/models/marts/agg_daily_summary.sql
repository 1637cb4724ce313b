with entries as (

    select * from {{ ref('stg_entries') }}

),

daily as (

    select
        event_date,
        count(*) as entries,
        count(*) filter (where entry_type = 'user') as user_entries,
        count(*) filter (where entry_type = 'assistant') as assistant_entries,
        count(distinct session_id) as sessions,
        count(distinct project_id) as projects
    from entries
    group by event_date

),

final as (

    select * from daily

)

select * from final
