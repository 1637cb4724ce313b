-- Session durations (minutes) of one person ($user), for the histogram.
select duration_seconds / 60 as duration_minutes
from marts.dim_sessions
where duration_seconds is not null and user_id = $user
