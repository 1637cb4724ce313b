-- The first and last event day of the JSONL files `$files`, DuckDB reading them in parallel;
-- lines that do not parse are left out (`$maximum_object_size`: jsonl._MAX_OBJECT_BYTES).
with stamps as (
    select instant(json_extract_string(json, '$.timestamp')) as stamped_at
    from
        read_ndjson_objects(
            $files, ignore_errors = true, maximum_object_size = $maximum_object_size
        )
)

select
    (min(stamped_at) at time zone 'UTC')::date as first_day,
    (max(stamped_at) at time zone 'UTC')::date as last_day
from stamps
