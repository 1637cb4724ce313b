-- Incremental (see macros/incremental.sql): the tool calls that changed are named again.
{{
    config(
        unique_key='tool_use_id',
        pre_hook="{{ delete_changed_keys('tool_use_id', 'stg_tool_calls', 'tool_use_id') }}",
    )
}}

with calls as (

    select * from {{ ref('stg_tool_calls') }}
    {% if is_incremental() %}
    where {{ changed_since_previous_build() }}
    {% endif %}

),

categories as (

    select * from {{ ref('tool_categories') }}

),

named as (

    select
        calls.*,
        calls.tool_name like 'mcp\_\_%' escape '\' as is_mcp,
        case
            when calls.tool_name like 'mcp\_\_%' escape '\' then split_part(calls.tool_name, '__', 2)
        end as mcp_server,
        case
            when calls.tool_name like 'mcp\_\_%' escape '\'
                then substr(calls.tool_name, length('mcp__' || split_part(calls.tool_name, '__', 2) || '__') + 1)
        end as mcp_tool,
        coalesce(
            categories.category,
            case when calls.tool_name like 'mcp\_\_%' escape '\' then 'mcp' else 'other' end
        ) as tool_category
    from calls
    left join categories using (tool_name)

),

files as (

    select
        *,
        coalesce(
            tool_input ->> '$.file_path',
            tool_input ->> '$.notebook_path',
            tool_use_result ->> '$.filePath',
            tool_use_result ->> '$.file.filePath'
        ) as file_path,
        -- every hunk line of the applied patch: '+' added, '-' removed, ' ' context
        json_extract_string(tool_use_result, '$.structuredPatch[*].lines[*]') as patch_lines
    from named

),

final as (

    select
        * exclude (patch_lines, _loaded_at),
        coalesce(len(list_filter(patch_lines, line -> starts_with(line, '+'))), 0) as lines_added,
        coalesce(len(list_filter(patch_lines, line -> starts_with(line, '-'))), 0) as lines_removed,
        {{ build_loaded_at() }} as _loaded_at
    from files

)

select * from final
