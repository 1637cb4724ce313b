-- Incremental (see macros/incremental.sql): the JSON unnesting runs once for each entry
-- that changed, not once per build, reader and test.
{{
    config(
        unique_key='entry_id',
        pre_hook="{{ delete_changed_keys('entry_id', 'stg_entries', 'entry_id') }}",
    )
}}

{#- the entry's columns each block carries -#}
{% set entry_columns = [
    'entry_type', 'entry_uuid', 'session_id', 'project_id', 'user_id', 'hostname',
    'is_sidechain', 'message_id', 'request_id', 'entry_at', 'event_at', 'event_date',
] %}

with entries as (

    -- the columns kept, and the two parts of raw_json the blocks need, cut out in one parse
    select
        entry_id,
        {{ entry_columns | join(', ') }},
        json_extract(raw_json, ['$.message.content', '$.toolUseResult']) as parts
    from {{ ref('stg_entries') }}
    where
        not is_duplicate
        and entry_type in ('user', 'assistant')
        {% if is_incremental() %}
        and {{ changed_since_previous_build() }}
        {% endif %}

),

contents as (

    select
        * exclude (parts),
        parts[1] as content,
        json_type(parts[1]) as content_type,
        parts[2] as tool_use_result
    from entries
    where json_type(parts[1]) in ('ARRAY', 'VARCHAR')

),

blocks as (

    -- content is a list of blocks, or a plain string that counts as one text block
    select
        contents.* exclude (content, content_type),
        t.block_index,
        t.block
    from contents,
        unnest(
            case
                when contents.content_type = 'ARRAY' then json_extract(contents.content, '$[*]')
                else [json_object('type', 'text', 'text', contents.content ->> '$')]
            end
        ) with ordinality as t (block, block_index)

),

fields as (

    -- each block parsed once into the fields any block type has
    select
        * exclude (block),
        from_json(
            block,
            '{
                "type": "VARCHAR", "text": "VARCHAR", "thinking": "VARCHAR", "id": "VARCHAR",
                "tool_use_id": "VARCHAR", "name": "VARCHAR", "input": "JSON",
                "content": "JSON", "is_error": "JSON"
            }'
        ) as b
    from blocks

),

typed as (

    select
        entry_id || ':' || block_index as block_id,
        entry_id,
        block_index,
        b.type as block_type,

        -- text and thinking
        case b.type
            when 'text' then b.text
            when 'thinking' then b.thinking
        end as block_text,

        -- tool_use and tool_result
        case b.type
            when 'tool_use' then b.id
            when 'tool_result' then b.tool_use_id
        end as tool_use_id,
        b.name as tool_name,
        b.input as tool_input,
        case json_type(b.content)
            when 'VARCHAR' then b.content ->> '$'
            when 'ARRAY' then array_to_string(json_extract_string(b.content, '$[*].text'), chr(10))
        end as tool_result_text,
        coalesce(try_cast(b.is_error ->> '$' as boolean), false) as is_tool_error,

        -- the entry around the block
        {{ entry_columns | join(', ') }},
        case when b.type = 'tool_result' then tool_use_result end as tool_use_result,
        {{ build_loaded_at() }} as _loaded_at

    from fields

)

select * from typed
