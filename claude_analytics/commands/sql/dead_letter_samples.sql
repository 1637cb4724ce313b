-- The newest `$examples` dead letters, with the start of their (redacted) text.
select
    reason,
    source_file,
    line_number,
    left(raw_text, 200) as raw_text_start
from raw.dead_letters
order by event_date desc, source_file asc, line_number asc
limit $examples
