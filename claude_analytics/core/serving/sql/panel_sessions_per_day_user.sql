-- Sessions per day for one person ($user): the daily summary is not split by user.
select
    session_date as event_date,
    count(*) as sessions
from marts.dim_sessions
where user_id = $user
group by all
order by event_date
