-- Incremental (see macros/incremental.sql): a build re-derives the run window's entries and
-- every entry whose duplicate ranking the window can change; a table, because the ranking
-- is a window over the history and each reader would run it again on a view.
{{
    config(
        unique_key='entry_id',
        post_hook="{{ delete_entries_gone_from_window() }}",
    )
}}

{#- the entries this build re-derives: all of them on a full build -#}
{% set in_scope %}
{% if is_incremental() %}
    (
        {{ in_run_window('event_date') }}
        or session_id in (select session_id from window_sessions)
        or uuid in (select uuid from scope_uuids)
    )
{% else %}
    true
{% endif %}
{% endset %}

with

{% if is_incremental() %}

window_sessions as (

    -- sessions with an entry in the window, before and after this load: their end (and so
    -- the ranking of every copy of their entries) can move
    select session_id from {{ source('raw', 'conversations') }}
    where {{ in_run_window('event_date') }} and session_id is not null
    union
    select session_id from {{ this }}
    where {{ in_run_window('event_date') }} and session_id is not null

),

-- used through `in_scope`; sqlfluff renders its `if` apart from the one around this CTE
scope_uuids as (  -- noqa: ST03

    select uuid from {{ source('raw', 'conversations') }}
    where
        (
            {{ in_run_window('event_date') }}
            or session_id in (select session_id from window_sessions)
        )
        and uuid is not null
    union
    select entry_uuid from {{ this }}
    where {{ in_run_window('event_date') }} and entry_uuid is not null

),

{% endif %}

source as (

    select * from {{ source('raw', 'conversations') }}
    where {{ in_scope }}

),

ranked_entries as (

    -- the scope holds every copy of each of its uuids, wherever it is dated; read apart
    -- from `source`, which a second reader would materialise, raw_json and all
    select
        entry_id,
        uuid,
        session_id,
        is_sidechain,
        source_file,
        line_number
    from {{ source('raw', 'conversations') }}
    where {{ in_scope }}

),

extracted as (

    -- the fields the typed raw columns lack, cut out of raw_json in one parse
    select
        *,
        json_extract_string(
            raw_json,
            [
                '$.subtype',
                '$.agentId',
                '$.isMeta',
                '$.message.usage.cache_creation.ephemeral_5m_input_tokens',
                '$.message.usage.cache_creation.ephemeral_1h_input_tokens',
                '$.data.type',
                '$.operation',
                '$.data.agentId',
                '$.parentToolUseID',
                '$.toolUseID',
                '$.sourceToolAssistantUUID',
                '$.permissionMode',
                '$.durationMs',
                '$.data.message.type',
                '$.data.message.message.id',
                '$.data.message.requestId',
                '$.data.message.message.model',
                '$.data.message.message.stop_reason',
                '$.data.message.message.usage.input_tokens',
                '$.data.message.message.usage.output_tokens',
                '$.data.message.message.usage.cache_creation_input_tokens',
                '$.data.message.message.usage.cache_read_input_tokens',
                '$.data.message.message.usage.cache_creation.ephemeral_5m_input_tokens',
                '$.data.message.message.usage.cache_creation.ephemeral_1h_input_tokens'
            ]
        ) as extras
    from source

),

echoes as (

    -- A subagent's API response echoed into its parent session (`agent_progress`): the
    -- entry's message columns carry the echoed response, so it is counted like any other.
    select
        *,
        coalesce(
            entry_type = 'progress'
            and extras[6] = 'agent_progress'
            and extras[14] = 'assistant'
            and extras[15] is not null,
            false
        ) as is_response_echo
    from extracted

),

renamed as (

    select
        -- identity
        entry_id,
        uuid as entry_uuid,
        parent_uuid,
        session_id,
        entry_type,
        coalesce(extras[1], extras[6], extras[7]) as entry_subtype,
        coalesce(extras[2], extras[8]) as agent_id,

        -- provenance: who (the sync's userId, a JSONL run's own user) and on which machine
        project_id,
        coalesce(nullif(user_id, ''), '(unknown)') as user_id,
        coalesce(nullif(hostname, ''), '(unknown)') as hostname,
        source_file,
        line_number,
        cwd,
        nullif(git_branch, '') as git_branch,
        version as claude_code_version,
        user_type,
        coalesce(is_sidechain, false) as is_sidechain,
        coalesce(is_api_error_message, false) as is_api_error_message,
        coalesce(try_cast(extras[3] as boolean), false) as is_meta,
        extras[12] as permission_mode,

        -- links between entries
        extras[9] as parent_tool_use_id,
        extras[10] as tool_use_id,
        extras[11] as source_tool_assistant_uuid,
        cast(try_cast(extras[13] as double) as bigint) as duration_ms,

        -- time
        timestamp as entry_at,
        event_time as event_at,
        event_date,

        -- message (for an agent_progress echo: the echoed response's)
        is_response_echo,
        case when is_response_echo then extras[16] else request_id end as request_id,
        case when is_response_echo then extras[15] else message_id end as message_id,
        case when is_response_echo then 'assistant' else message_role end as message_role,
        case when is_response_echo then extras[17] else model end as model,
        case when is_response_echo then extras[18] else stop_reason end as stop_reason,
        case when is_response_echo then try_cast(extras[19] as bigint) else input_tokens end
            as input_tokens,
        case when is_response_echo then try_cast(extras[20] as bigint) else output_tokens end
            as output_tokens,
        case
            when is_response_echo then try_cast(extras[21] as bigint)
            else cache_creation_input_tokens
        end as cache_creation_input_tokens,
        case
            when is_response_echo then try_cast(extras[22] as bigint)
            else cache_read_input_tokens
        end as cache_read_input_tokens,
        try_cast(case when is_response_echo then extras[23] else extras[4] end as bigint)
            as cache_creation_5m_input_tokens,
        try_cast(case when is_response_echo then extras[24] else extras[5] end as bigint)
            as cache_creation_1h_input_tokens,

        raw_json,
        {{ build_loaded_at() }} as _loaded_at

    from echoes

),

session_ends as (

    -- A resumed session copies earlier entries into a new file under a new session id; the
    -- copy that belongs to the session which ended first is the original.
    select
        session_id,
        max(timestamp) as session_last_entry_at
    from {{ source('raw', 'conversations') }}
    where
        session_id is not null
        {% if is_incremental() %}
        and session_id in (select distinct session_id from ranked_entries)
        {% endif %}
    group by session_id

),

copies as (

    -- Ranks only the narrow keys: a CTE used twice is materialised whole, and `renamed`
    -- carries the JSON fields and raw_json.
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
    from ranked_entries as entries
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
