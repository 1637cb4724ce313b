-- Dead letters by reason, with the days they came from.
select
    reason,
    count(*) as entries,
    min(event_date) as first_date,
    max(event_date) as last_date
from quality.dead_letters
group by all
order by entries desc
