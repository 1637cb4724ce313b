-- Prompts per ISO weekday and hour of day (UTC): at most 168 cells.
select
    iso_weekday,
    hour_of_day,
    sum(prompts) as prompts
from marts.agg_hourly_activity
group by all
order by iso_weekday, hour_of_day
