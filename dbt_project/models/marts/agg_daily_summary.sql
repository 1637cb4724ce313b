with entries as (

    select * from {{ ref('stg_entries') }}

),

messages as (

    select * from {{ ref('fct_messages') }}

),

usage as (

    select * from {{ ref('fct_token_usage') }}

),

tool_calls as (

    select * from {{ ref('fct_tool_calls') }}

),

file_operations as (

    select * from {{ ref('fct_file_operations') }}

),

entry_days as (

    -- every raw entry counts here, duplicates included, so the day adds up to the source
    select
        event_date,
        count(*) as entries,
        count(*) filter (where entry_type = 'user') as user_entries,
        count(*) filter (where entry_type = 'assistant') as assistant_entries,
        count(distinct session_id) as sessions,
        count(distinct project_id) as projects
    from entries
    group by event_date

),

message_days as (

    select
        event_date,
        count(*) filter (where is_prompt) as prompts,
        count(*) filter (where is_interruption) as interruptions,
        count(*) filter (where is_api_error_message) as api_errors
    from messages
    group by event_date

),

usage_days as (

    select
        event_date,
        count(*) as api_responses,
        {{ usage_sums() }}
    from usage
    group by event_date

),

tool_days as (

    select
        event_date,
        count(*) as tool_calls,
        count(*) filter (where is_error) as tool_errors
    from tool_calls
    group by event_date

),

change_days as (

    select
        event_date,
        sum(lines_added)::bigint as lines_added,
        sum(lines_removed)::bigint as lines_removed
    from file_operations
    group by event_date

),

final as (

    select
        entry_days.event_date,
        entry_days.entries,
        entry_days.user_entries,
        entry_days.assistant_entries,
        entry_days.sessions,
        entry_days.projects,
        coalesce(message_days.prompts, 0) as prompts,
        coalesce(message_days.interruptions, 0) as interruptions,
        coalesce(message_days.api_errors, 0) as api_errors,
        coalesce(usage_days.api_responses, 0) as api_responses,
        coalesce(usage_days.input_tokens, 0) as input_tokens,
        coalesce(usage_days.output_tokens, 0) as output_tokens,
        coalesce(usage_days.cache_creation_input_tokens, 0) as cache_creation_input_tokens,
        coalesce(usage_days.cache_read_input_tokens, 0) as cache_read_input_tokens,
        coalesce(usage_days.total_tokens, 0) as total_tokens,
        coalesce(usage_days.cost_usd, 0) as cost_usd,
        coalesce(usage_days.unpriced_tokens, 0) as unpriced_tokens,
        coalesce(tool_days.tool_calls, 0) as tool_calls,
        coalesce(tool_days.tool_errors, 0) as tool_errors,
        coalesce(change_days.lines_added, 0) as lines_added,
        coalesce(change_days.lines_removed, 0) as lines_removed
    from entry_days
    left join message_days using (event_date)
    left join usage_days using (event_date)
    left join tool_days using (event_date)
    left join change_days using (event_date)

)

select * from final
