-- Incremental (see macros/incremental.sql): rebuilds the rows whose upstream changed.
{{
    config(
        unique_key='tool_use_id',
        pre_hook="{{ delete_changed_keys('tool_use_id', 'int_tool_usage', 'tool_use_id') }}",
    )
}}

with calls as (

    select * from {{ ref('int_tool_usage') }}
    where
        file_path is not null
        and tool_name in ('Read', 'Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'NotebookRead')
        {% if is_incremental() %}
        and {{ changed_since_previous_build() }}
        {% endif %}

),

named as (

    select
        *,
        regexp_extract(file_path, '[^/\\]+$') as file_name
    from calls

),

final as (

    select
        tool_use_id,
        session_id,
        project_id,
        user_id,
        tool_name,
        case
            when tool_name in ('Read', 'NotebookRead') then 'read'
            when tool_name = 'Write' and json_extract_string(tool_use_result, '$.type') = 'create'
                then 'create'
            when tool_name = 'Write' then 'write'
            else 'edit'
        end as operation,
        file_path,
        file_name,
        case
            when file_name like '_%.%' then lower(regexp_extract(file_name, '\.([^.]+)$', 1))
            else ''
        end as file_extension,
        is_error,
        lines_added,
        lines_removed,
        called_at,
        event_date,
        {{ build_loaded_at() }} as _loaded_at
    from named

)

select * from final
