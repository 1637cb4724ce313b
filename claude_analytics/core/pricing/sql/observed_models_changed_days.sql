-- The days warehouse loads replaced after `$since`, and how far that reading reaches.
select
    coalesce(
        list(distinct event_date order by event_date) filter (where loaded_at > $since), []
    ) as days,
    max(loaded_at) as loaded_through
from raw.loaded_days
