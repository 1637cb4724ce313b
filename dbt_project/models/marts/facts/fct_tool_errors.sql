-- Incremental (see macros/incremental.sql): the failed calls that changed are classified
-- again; a call that no longer failed leaves (kept keys are the failed calls upstream).
{{
    config(
        unique_key='tool_use_id',
        pre_hook="{{ delete_changed_keys('tool_use_id', 'int_tool_usage', 'tool_use_id', 'is_error') }}",
    )
}}

with failed as (

    select * from {{ ref('int_tool_usage') }}
    where
        is_error
        {% if is_incremental() %}
        and {{ changed_since_previous_build() }}
        {% endif %}

),

texts as (

    -- the result block's text; a result without one keeps the toolUseResult string
    select
        *,
        regexp_replace(
            coalesce(tool_result_text, tool_use_result ->> '$', ''),
            '</?tool_use_error>', '', 'g'
        ) as error_text
    from failed

),

final as (

    select
        tool_use_id,
        tool_name,
        tool_category,
        is_mcp,
        mcp_server,
        session_id,
        project_id,
        user_id,
        hostname,
        is_sidechain,
        called_at,
        event_date,
        {{ tool_error_class('error_text', 'is_interrupted') }} as error_class,
        try_cast(regexp_extract(error_text, '^\s*Exit code ([0-9]+)', 1) as integer) as exit_code,
        {{ tool_error_pattern('error_text') }} as error_pattern,
        left(regexp_replace(trim(error_text), '\s+', ' ', 'g'), 200) as error_message,
        left(error_text, 2000) as error_text,
        {{ build_loaded_at() }} as _loaded_at
    from texts

)

select * from final
