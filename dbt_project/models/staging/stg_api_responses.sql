-- Incremental (see macros/incremental.sql): a build re-ranks the responses whose entries
-- changed, over every copy of them.
{{
    config(
        unique_key='response_id',
        pre_hook="{{ delete_changed_keys('response_id', 'stg_entries', response_key(), assistant_with_message()) }}",
    )
}}

with assistant_entries as (

    select * from {{ ref('stg_entries') }}
    where
        {{ assistant_with_message() }}
        {% if is_incremental() %}
        and {{ response_key() }} in (
            {{ changed_keys('stg_entries', response_key(), assistant_with_message()) }}
        )
        {% endif %}

),

keyed as (

    select
        *,
        -- ccusage's rule: one API response is (message.id, requestId); message.id alone
        -- when the request id is missing
        {{ response_key() }} as response_id,
        -- an echo in the parent session is a subagent's response, like its file's copy
        is_sidechain or is_response_echo as is_subagent_response,
        coalesce(input_tokens, 0)
        + coalesce(output_tokens, 0)
        + coalesce(cache_creation_input_tokens, 0)
        + coalesce(cache_read_input_tokens, 0) as entry_token_total
    from assistant_entries

),

deduplicated as (

    -- Streaming writes one entry per content block with output_tokens growing, so the
    -- largest total is the final count; the main-chain copy wins over a sidechain replay,
    -- the subagent file's copy over its agent_progress echo in the parent session, and the
    -- original session over a resumed copy.
    select *
    from keyed
    qualify row_number() over (
        partition by response_id
        order by
            entry_token_total desc,
            is_subagent_response asc,
            is_response_echo asc,
            session_last_entry_at asc nulls last,
            source_file asc,
            line_number asc
    ) = 1

),

final as (

    select
        response_id,
        message_id,
        request_id,
        entry_id,
        session_id,
        project_id,
        user_id,
        hostname,
        agent_id,
        cwd,
        git_branch,
        claude_code_version,
        is_subagent_response as is_sidechain,
        is_response_echo,
        parent_tool_use_id,
        is_api_error_message,
        model,
        stop_reason,
        entry_at,
        event_at,
        event_date,
        coalesce(input_tokens, 0) as input_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        coalesce(cache_creation_input_tokens, 0) as cache_creation_input_tokens,
        coalesce(cache_read_input_tokens, 0) as cache_read_input_tokens,
        -- without the split every cache write is priced as the default 5-minute kind
        coalesce(cache_creation_1h_input_tokens, 0) as cache_creation_1h_input_tokens,
        coalesce(
            cache_creation_5m_input_tokens,
            coalesce(cache_creation_input_tokens, 0) - coalesce(cache_creation_1h_input_tokens, 0)
        ) as cache_creation_5m_input_tokens,
        entry_token_total as total_tokens,
        {{ build_loaded_at() }} as _loaded_at
    from deduplicated

)

select * from final
