-- Every line's event time is its own, else (sources that allow it: `$inherit_file_time`)
-- its file's first, else its ingestion time (timed_view.sql). An aggregate joined back: a
-- window over the file would sort every line. Without inheritance the table stays empty.
create temp table file_times as
select
    source_file,
    min(parsed_timestamp) as first_time
from lines
where $inherit_file_time
group by source_file
