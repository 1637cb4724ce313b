-- a table: the duplicate ranking is a window over the whole history; as a view, each of its
-- readers and tests ran it again (at 1M entries, ~12 of them for 30-45 s each)
{{ config(materialized='table') }}

with source as (

    select * from {{ source('raw', 'conversations') }}

),

renamed as (

    select
        -- identity
        entry_id,
        uuid as entry_uuid,
        parent_uuid,
        session_id,
        entry_type,
        raw_json ->> '$.subtype' as entry_subtype,
        raw_json ->> '$.agentId' as agent_id,

        -- provenance
        project_id,
        source_file,
        line_number,
        cwd,
        nullif(git_branch, '') as git_branch,
        version as claude_code_version,
        user_type,
        coalesce(is_sidechain, false) as is_sidechain,
        coalesce(is_api_error_message, false) as is_api_error_message,
        coalesce(try_cast(raw_json ->> '$.isMeta' as boolean), false) as is_meta,

        -- time
        timestamp as entry_at,
        event_time as event_at,
        event_date,

        -- message
        request_id,
        message_id,
        message_role,
        model,
        stop_reason,
        input_tokens,
        output_tokens,
        cache_creation_input_tokens,
        cache_read_input_tokens,
        try_cast(raw_json ->> '$.message.usage.cache_creation.ephemeral_5m_input_tokens' as bigint)
            as cache_creation_5m_input_tokens,
        try_cast(raw_json ->> '$.message.usage.cache_creation.ephemeral_1h_input_tokens' as bigint)
            as cache_creation_1h_input_tokens,

        raw_json

    from source

),

session_ends as (

    -- A resumed session copies earlier entries into a new file under a new session id; the
    -- copy that belongs to the session which ended first is the original.
    select
        session_id,
        max(timestamp) as session_last_entry_at
    from {{ source('raw', 'conversations') }}
    where session_id is not null
    group by session_id

),

copies as (

    -- Read from the source, not from `renamed`: a CTE used twice is materialised whole,
    -- JSON fields and raw_json included; ranking only the narrow keys keeps this cheap.
    select
        entries.entry_id,
        session_ends.session_last_entry_at,
        entries.uuid is not null
        and row_number() over (
            partition by entries.uuid
            order by
                coalesce(entries.is_sidechain, false),
                session_ends.session_last_entry_at nulls last,
                entries.source_file,
                entries.line_number
        ) > 1 as is_duplicate
    from {{ source('raw', 'conversations') }} as entries
    left join session_ends using (session_id)

),

final as (

    select
        renamed.*,
        copies.session_last_entry_at,
        copies.is_duplicate
    from renamed
    inner join copies using (entry_id)

)

select * from final
