-- Incremental (see macros/incremental.sql): rebuilds the rows whose upstream changed.
{{
    config(
        unique_key='tool_use_id',
        pre_hook="{{ delete_changed_keys('tool_use_id', 'int_tool_usage', 'tool_use_id') }}",
    )
}}

with calls as (

    select * from {{ ref('int_tool_usage') }}
    {% if is_incremental() %}
    where {{ changed_since_previous_build() }}
    {% endif %}

),

final as (

    select
        tool_use_id,
        tool_name,
        tool_category,
        is_mcp,
        mcp_server,
        mcp_tool,
        session_id,
        project_id,
        user_id,
        hostname,
        call_entry_id,
        result_entry_id,
        message_id,
        request_id,
        is_sidechain,
        called_at,
        result_at,
        event_date,
        latency_ms,
        has_result,
        is_error,
        is_interrupted,
        file_path,
        lines_added,
        lines_removed,
        {{ build_loaded_at() }} as _loaded_at
    from calls

)

select * from final
