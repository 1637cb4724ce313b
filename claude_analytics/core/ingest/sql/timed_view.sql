-- Every line with its event time (file_times.sql). A view, because copying every line's
-- columns into another table cost more than the join.
create temp view timed as
select
    l.*,
    coalesce(l.parsed_timestamp, f.first_time, l.ingested_at) as event_time
from lines as l
left join file_times as f using (source_file)
