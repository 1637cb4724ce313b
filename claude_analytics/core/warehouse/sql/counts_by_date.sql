-- Rows per event day of the raw table `$relation` in the window.
select
    event_date,
    count(*) as row_count
from query_table($relation)
where event_date >= $start and event_date < $end
group by event_date
