-- Files touched and lines added and removed per day.
select
    event_date,
    sum(files_touched) as files_touched,
    sum(lines_added) as lines_added,
    sum(lines_removed) as lines_removed
from marts.agg_code_changes
group by all
order by event_date
