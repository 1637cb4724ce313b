-- Top-level fields of the batch's entries outside `$known`, with how often each appeared
-- and an example. Entries of a kind share their key list: group the lists, then unnest the
-- few.
with shapes as (
    select
        json_keys(raw_json) as field_names,
        count(*) as entries,
        min(entry_id) as example_entry_id
    from batch
    group by field_names
),

keyed as (
    select
        entries,
        example_entry_id,
        unnest(field_names) as field_name
    from shapes
)

select
    field_name,
    sum(entries)::bigint as entries,
    min(example_entry_id) as example_entry_id
from keyed
where not list_contains($known, field_name)
group by field_name
order by field_name
