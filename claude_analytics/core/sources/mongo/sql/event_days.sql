-- The event day of each new document (`new_documents`) as parsing dates it, clamped into
-- the partitions [$first, $last]; per day, the documents and a digest of their ids (the
-- run key of a day's run names exactly its data).
with timed as (
    select
        id,
        coalesce(instant(timestamp_text), ingested_at) as event_time
    from new_documents
)

select
    greatest(least((event_time at time zone 'UTC')::date, $last), $first) as day,
    count(*) as documents,
    md5(string_agg(id, ',' order by id)) as fingerprint
from timed
group by all
order by day
