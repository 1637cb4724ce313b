-- Entry types of the batch outside `$known`, with how often each appeared and an example.
select
    entry_type,
    count(*) as entries,
    min(entry_id) as example_entry_id
from batch
where entry_type is not null and not list_contains($known, entry_type)
group by entry_type
order by entry_type
