-- Hours of the recent window with a burst of API errors (marts.agg_api_error_hours).
select
    strftime(hour_started_at at time zone 'UTC', '%Y-%m-%dT%H:00Z') as anomaly_key,
    strftime(hour_started_at at time zone 'UTC', '%Y-%m-%dT%H:00Z') as hour_started_at,
    api_errors,
    api_responses,
    round(api_error_share, 3) as api_error_share,
    sessions_with_errors,
    users_with_errors
from marts.agg_api_error_hours
where
    is_error_burst
    and event_date > (select max(event_date) from marts.fct_token_usage) - $recent_days
order by hour_started_at
