-- Incremental (see macros/incremental.sql): the entries that changed are classified again.
{{
    config(
        unique_key='entry_id',
        pre_hook="{{ delete_changed_keys('entry_id', 'stg_entries', 'entry_id') }}",
    )
}}

with entries as (

    select * from {{ ref('stg_entries') }}
    where
        not is_duplicate
        and entry_type in ('user', 'assistant')
        {% if is_incremental() %}
        and {{ changed_since_previous_build() }}
        {% endif %}

),

blocks as (

    select * from {{ ref('stg_content_blocks') }}
    {% if is_incremental() %}
    where entry_id in (select entry_id from entries)
    {% endif %}

),

-- Plain aggregates only: an ordered string_agg of every entry's text held each group's
-- strings in memory and could not spill (10M entries ran DuckDB out of its memory limit,
-- BENCHMARKS.md). The message's text is its text blocks joined by newlines; what the
-- classification needs of it comes from the blocks themselves: its length (the blocks'
-- lengths plus a newline between two), whether its first text block opens with the
-- interruption notice, and the first command a block names.
block_parts as (

    select
        entry_id,
        block_index,
        block_type,
        case when block_type = 'text' then block_text end as text,
        case
            when block_type = 'text' and contains(block_text, '<command-name>')
                then nullif(
                    regexp_extract(block_text, '<command-name>([^<]*)</command-name>', 1), ''
                )
        end as command_name
    from blocks

),

block_summary as (

    select
        entry_id,
        count(*) filter (where block_type = 'text') as text_blocks,
        count(*) filter (where block_type = 'thinking') as thinking_blocks,
        count(*) filter (where block_type = 'tool_use') as tool_use_blocks,
        count(*) filter (where block_type = 'tool_result') as tool_result_blocks,
        count(*) filter (where block_type = 'image') as image_blocks,
        sum(length(text)) + count(text) - 1 as text_length,
        arg_min(
            starts_with(text, '[Request interrupted by user'), block_index
        ) filter (where text is not null) as opens_with_interruption,
        bool_or(contains(text, '<command-name>')) as names_a_command,
        arg_min(command_name, block_index) filter (where command_name is not null)
            as command_name
    from block_parts
    group by entry_id

),

classified as (

    select
        entries.*,
        coalesce(block_summary.text_blocks, 0) as text_blocks,
        coalesce(block_summary.thinking_blocks, 0) as thinking_blocks,
        coalesce(block_summary.tool_use_blocks, 0) as tool_use_blocks,
        coalesce(block_summary.tool_result_blocks, 0) as tool_result_blocks,
        coalesce(block_summary.image_blocks, 0) as image_blocks,
        block_summary.text_length,
        block_summary.command_name,
        case
            when entries.entry_type = 'assistant' and entries.is_api_error_message then 'api_error'
            when entries.entry_type = 'assistant' then 'assistant'
            when coalesce(block_summary.tool_result_blocks, 0) > 0 then 'tool_result'
            when block_summary.opens_with_interruption then 'interruption'
            when block_summary.names_a_command then 'slash_command'
            when entries.is_meta then 'meta'
            -- the Task tool's prompt to a subagent, not a person typing
            when entries.is_sidechain then 'subagent_prompt'
            else 'prompt'
        end as message_kind
    from entries
    left join block_summary using (entry_id)

),

final as (

    select
        entry_id,
        entry_uuid,
        parent_uuid,
        session_id,
        project_id,
        user_id,
        hostname,
        entry_type,
        message_kind,
        message_kind = 'prompt' as is_prompt,
        message_kind = 'interruption' as is_interruption,
        case when message_kind = 'slash_command' then coalesce(command_name, '') end
            as slash_command,
        is_sidechain,
        is_api_error_message,
        agent_id,
        message_id,
        request_id,
        case when message_id is not null then message_id || ':' || coalesce(request_id, '') end
            as response_id,
        model,
        stop_reason,
        git_branch,
        claude_code_version,
        cwd,
        entry_at,
        event_at,
        event_date,
        text_blocks,
        thinking_blocks,
        tool_use_blocks,
        tool_result_blocks,
        image_blocks,
        text_length,
        {{ build_loaded_at() }} as _loaded_at
    from classified

)

select * from final
