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

        -- provenance
        project_id,
        source_file,
        line_number,
        cwd,
        git_branch,
        version as claude_code_version,
        user_type,
        coalesce(is_sidechain, false) as is_sidechain,
        coalesce(is_api_error_message, false) as is_api_error_message,

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

        raw_json

    from source

)

select * from renamed
