with bounds as (

    select
        min(event_date) as first_date,
        max(event_date) as last_date
    from {{ ref('stg_entries') }}

),

days as (

    select cast(calendar.day as date) as date_day
    from bounds,
        range(bounds.first_date, bounds.last_date + interval 1 day, interval 1 day)
            as calendar (day)

),

final as (

    select
        date_day,
        year(date_day) as year,
        quarter(date_day) as quarter,
        month(date_day) as month,
        monthname(date_day) as month_name,
        day(date_day) as day_of_month,
        isodow(date_day) as iso_weekday,
        dayname(date_day) as weekday_name,
        weekofyear(date_day) as iso_week,
        isodow(date_day) >= 6 as is_weekend
    from days

)

select * from final
