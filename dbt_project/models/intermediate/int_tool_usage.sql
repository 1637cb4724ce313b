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
            when calls.tool_name like 'mcp\_\_%' escape '\'
                then split_part(calls.tool_name, '__', 2)
        end as mcp_server,
        case
            when calls.tool_name like 'mcp\_\_%' escape '\'
                then substr(
                    calls.tool_name,
                    length('mcp__' || split_part(calls.tool_name, '__', 2) || '__') + 1
                )
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
        json_extract_string(tool_use_result, '$.structuredPatch[*].lines[*]') as patch_lines,
        json_extract_string(
            tool_use_result, ['$.type', '$.content', '$.new_source', '$.edit_mode', '$.error']
        ) as result_fields
    from named

),

changes as (

    -- How Claude Code records each edit: Edit, MultiEdit and a Write over an existing file
    -- leave structuredPatch hunks; a Write that creates a file leaves an empty patch, type
    -- "create" and the whole content; NotebookEdit leaves the cell's new source (the old
    -- one is not recorded, so a replaced cell counts its new lines only).
    select
        *,
        case
            when len(patch_lines) > 0
                then len(list_filter(patch_lines, line -> starts_with(line, '+')))
            when tool_name = 'Write' and result_fields[1] = 'create'
                then {{ line_count('result_fields[2]') }}
            when
                tool_name = 'NotebookEdit'
                and coalesce(result_fields[5], '') = ''
                and coalesce(result_fields[4], 'replace') in ('insert', 'replace')
                then {{ line_count('result_fields[3]') }}
            else 0
        end as lines_added,
        coalesce(len(list_filter(patch_lines, line -> starts_with(line, '-'))), 0) as lines_removed
    from files

),

final as (

    select
        * exclude (patch_lines, result_fields, _loaded_at),
        {{ build_loaded_at() }} as _loaded_at
    from changes

)

select * from final
