-- Dead letters per reason, the most frequent first, each with the location of its earliest.
select
    reason,
    count(*) as letters,
    min(event_date) as first_day,
    max(event_date) as last_day,
    arg_min(source_file || coalesce(':' || line_number, ''), event_date) as example
from raw.dead_letters
group by reason
order by letters desc, reason asc
