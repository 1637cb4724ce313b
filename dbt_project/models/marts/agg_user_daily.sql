with usage as (

    select * from {{ ref('fct_token_usage') }}

),

final as (

    select
        event_date,
        user_id,
        hostname,
        count(distinct session_id) as sessions,
        count(distinct project_id) as projects,
        count(*) as api_responses,
        {{ usage_sums() }}
    from usage
    group by event_date, user_id, hostname

)

select * from final
