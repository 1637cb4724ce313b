-- The dead letters of the window [$window_start, $window_end). Their text is capped at
-- $raw_text_limit characters: a 10 MB tool output must not bloat the lake twice.
select
    entry_id,
    source_file,
    line_number,
    project_id,
    event_date,
    reason,
    left(raw_text, $raw_text_limit) as raw_text,
    length(raw_text) as raw_text_length,
    ingested_at,
    $run_id as run_id
from letters
where event_date >= $window_start and event_date < $window_end
order by source_file, line_number, entry_id
