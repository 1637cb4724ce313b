-- Days of the recent window (the last $recent_days days up to the latest day with usage)
-- whose cost is a spike against the days before them (marts.agg_daily_cost_baseline).
select
    strftime(event_date, '%Y-%m-%d') as anomaly_key,
    event_date,
    round(cost_usd, 4) as cost_usd,
    round(trailing_median_cost_usd, 4) as trailing_median_cost_usd,
    trailing_days,
    round(cost_ratio, 2) as cost_ratio,
    api_responses
from marts.agg_daily_cost_baseline
where
    is_cost_spike
    and event_date > (
        select max(history.event_date) from marts.agg_daily_cost_baseline as history
    ) - $recent_days
order by event_date
