-- Session durations (minutes), for the histogram; for everyone or one person
-- (core/serving/queries.py fills `user_filter`).
select duration_seconds / 60 as duration_minutes
from marts.dim_sessions
where duration_seconds is not null and ${user_filter}
