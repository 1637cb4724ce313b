-- Incremental (see macros/incremental.sql): a build pairs again the calls and results
-- whose blocks changed, over every copy of them.
{{
    config(
        unique_key='tool_use_id',
        pre_hook="{{ delete_changed_keys('tool_use_id', 'stg_content_blocks', 'tool_use_id', 'tool_use_id is not null') }}",
    )
}}

{#- read twice rather than through one CTE, which DuckDB would materialise, texts and all -#}
{% set changed_tool_use_ids %}
{% if is_incremental() %}
    and tool_use_id in (
        {{ changed_keys('stg_content_blocks', 'tool_use_id', 'tool_use_id is not null') }}
    )
{% endif %}
{% endset %}

with calls as (

    select *
    from {{ ref('stg_content_blocks') }}
    where
        block_type = 'tool_use'
        and tool_use_id is not null
        {{ changed_tool_use_ids }}
    -- a replayed sidechain can repeat a call; the main-chain, earliest copy is the call
    qualify row_number() over (
        partition by tool_use_id order by is_sidechain, event_at, block_id
    ) = 1

),

results as (

    select *
    from {{ ref('stg_content_blocks') }}
    where
        block_type = 'tool_result'
        and tool_use_id is not null
        {{ changed_tool_use_ids }}
    qualify row_number() over (
        partition by tool_use_id order by is_sidechain, event_at, block_id
    ) = 1

),

joined as (

    select
        calls.tool_use_id,
        calls.tool_name,
        calls.tool_input,
        calls.entry_id as call_entry_id,
        calls.message_id,
        calls.request_id,
        calls.session_id,
        calls.project_id,
        calls.user_id,
        calls.hostname,
        calls.is_sidechain,
        calls.event_at as called_at,
        calls.event_date,

        results.entry_id as result_entry_id,
        results.event_at as result_at,
        results.tool_result_text,
        results.tool_use_result,
        results.entry_id is not null as has_result,
        coalesce(results.is_tool_error, false) as is_error,
        coalesce(
            results.tool_result_text like 'The user doesn''t want to proceed with this tool use%'
            or results.tool_result_text like '[Request interrupted by user%',
            false
        ) as is_interrupted,
        date_diff('millisecond', calls.event_at, results.event_at) as latency_ms,
        {{ build_loaded_at() }} as _loaded_at

    from calls
    left join results using (tool_use_id)

)

select * from joined
