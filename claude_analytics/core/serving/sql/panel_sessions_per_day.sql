-- Sessions per day, from the daily summary.
select
    event_date,
    sessions
from marts.agg_daily_summary
order by event_date
