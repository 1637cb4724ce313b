-- a table: the JSON unnesting runs once a build, not once per reader and test
{{ config(materialized='table') }}

with entries as (

    select * from {{ ref('stg_entries') }}
    where not is_duplicate
        and entry_type in ('user', 'assistant')

),

listed as (

    -- content is a list of blocks, or a plain string that counts as one text block
    select
        entry_id,
        t.block_index,
        t.block
    from entries,
        unnest(json_extract(raw_json, '$.message.content[*]')) with ordinality as t(block, block_index)
    where json_type(raw_json, '$.message.content') = 'ARRAY'

),

plain as (

    select
        entry_id,
        1 as block_index,
        json_object('type', 'text', 'text', raw_json ->> '$.message.content') as block
    from entries
    where json_type(raw_json, '$.message.content') = 'VARCHAR'

),

blocks as (

    select * from listed
    union all
    select * from plain

),

typed as (

    select
        blocks.entry_id || ':' || blocks.block_index as block_id,
        blocks.entry_id,
        blocks.block_index,
        blocks.block ->> '$.type' as block_type,

        -- text and thinking
        case blocks.block ->> '$.type'
            when 'text' then blocks.block ->> '$.text'
            when 'thinking' then blocks.block ->> '$.thinking'
        end as block_text,

        -- tool_use and tool_result
        case blocks.block ->> '$.type'
            when 'tool_use' then blocks.block ->> '$.id'
            when 'tool_result' then blocks.block ->> '$.tool_use_id'
        end as tool_use_id,
        blocks.block ->> '$.name' as tool_name,
        blocks.block -> '$.input' as tool_input,
        case
            when json_type(blocks.block, '$.content') = 'VARCHAR' then blocks.block ->> '$.content'
            when json_type(blocks.block, '$.content') = 'ARRAY'
                then array_to_string(
                    json_extract_string(blocks.block, '$.content[*].text'), chr(10)
                )
        end as tool_result_text,
        coalesce(try_cast(blocks.block ->> '$.is_error' as boolean), false) as is_tool_error,

        -- the entry around the block
        entries.entry_type,
        entries.entry_uuid,
        entries.session_id,
        entries.project_id,
        entries.is_sidechain,
        entries.message_id,
        entries.request_id,
        entries.entry_at,
        entries.event_at,
        entries.event_date,
        case
            when blocks.block ->> '$.type' = 'tool_result' then entries.raw_json -> '$.toolUseResult'
        end as tool_use_result

    from blocks
    inner join entries using (entry_id)

)

select * from typed
