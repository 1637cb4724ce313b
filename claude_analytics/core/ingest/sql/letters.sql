-- Dead letters: lines that never parsed (dated by their file, else by ingestion), entries
-- with bad fields, and entries dated outside every partition (no run could ever load them).
-- Partitions are [$partition_start, $partition_end).
create temp table letters as
with all_letters as (
    select
        line_index,
        entry_id,
        source_file,
        line_number,
        project_id,
        ingested_at,
        coalesce(parse_problem, final_problem, 'outside_partitions') as reason,
        event_time
    from timed
    where
        parse_problem is not null
        or final_problem is not null
        or not (
            (event_time at time zone 'UTC')::date between $partition_start and $partition_end - 1
        )
)

select
    a.*,
    t.line_text as raw_text,
    -- clamp into the edge partitions so every dead letter belongs to a partition
    greatest(
        least((a.event_time at time zone 'UTC')::date, $partition_end - 1), $partition_start
    ) as event_date
from all_letters as a
inner join texts as t using (line_index)
