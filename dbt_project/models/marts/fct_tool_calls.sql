{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_run_window() }}",
        on_schema_change='fail',
    )
}}

with calls as (

    select * from {{ ref('int_tool_usage') }}
    {% if is_incremental() %}
    where {{ in_run_window('event_date') }}
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
        lines_removed
    from calls

)

select * from final
