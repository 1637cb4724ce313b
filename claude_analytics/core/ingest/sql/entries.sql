-- The entries of the window [$window_start, $window_end) without their text (raw_json), which
-- parse._with_raw_json adds in Arrow. Partitions are [$partition_start, $partition_end).
with dated as (
    select
        *,
        (event_time at time zone 'UTC')::date as event_date
    from timed
    where parse_problem is null and final_problem is null
)

select
    d.entry_id,
    d.source_file,
    d.line_number,
    d.project_id,
    d.entry_type,
    d.uuid,
    d.parent_uuid,
    d.session_id,
    d.parsed_timestamp as timestamp,
    d.event_time,
    d.event_date,
    d.is_sidechain,
    d.user_type,
    d.cwd,
    d.git_branch,
    d.version,
    d.request_id,
    d.message_id,
    d.message_role,
    d.model,
    d.stop_reason,
    d.input_tokens,
    d.output_tokens,
    d.cache_creation_input_tokens,
    d.cache_read_input_tokens,
    d.is_api_error_message,
    d.ingested_at,
    d.user_id,
    d.hostname,
    d.line_index
from dated as d
where
    d.event_date >= $window_start
    and d.event_date < $window_end
    and d.event_date >= $partition_start
    and d.event_date < $partition_end
order by d.source_file, d.line_number, d.entry_id
