-- The dead letters with their text capped again (`$preview_chars`, see
-- snapshot.DEAD_LETTER_PREVIEW_CHARS). `${source}` is `raw.dead_letters`, or an empty table
-- of its shape before the warehouse has one.
create table ${target} as
select
    entry_id,
    source_file,
    line_number,
    project_id,
    event_date,
    reason,
    left(raw_text, $preview_chars) as raw_text_preview,
    ingested_at,
    run_id
from ${source}
