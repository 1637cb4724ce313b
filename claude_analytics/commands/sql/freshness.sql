-- What `status` shows first: the newest entry, the latest event day, and the entries and
-- dead letters the warehouse holds.
with entries as (
    select
        max(ingested_at) as latest_ingested_at,
        max(event_date) as latest_date,
        count(*) as total_records
    from raw.conversations
),

letters as (
    select count(*) as dead_letters
    from raw.dead_letters
)

select
    entries.latest_ingested_at,
    entries.latest_date,
    entries.total_records,
    letters.dead_letters
from entries
cross join letters
