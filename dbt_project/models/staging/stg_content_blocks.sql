-- Incremental (see macros/incremental.sql): the JSON unnesting runs once for each entry
-- that changed, not once per build, reader and test.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='entry_id',
        pre_hook="{{ delete_changed_keys('entry_id', 'stg_entries', 'entry_id') }}",
        on_schema_change='fail',
    )
}}

with entries as (

    select * from {{ ref('stg_entries') }}
    where not is_duplicate
        and entry_type in ('user', 'assistant')
        and json_type(raw_json, '$.message.content') in ('ARRAY', 'VARCHAR')
    {% if is_incremental() %}
        and {{ changed_since_previous_build() }}
    {% endif %}

),

blocks as (

    -- content is a list of blocks, or a plain string that counts as one text block; one
    -- pass over the entries (a CTE read twice would be materialised, raw_json and all)
    select
        entries.*,
        t.block_index,
        t.block
    from entries,
        unnest(
            case
                when json_type(entries.raw_json, '$.message.content') = 'ARRAY'
                    then json_extract(entries.raw_json, '$.message.content[*]')
                else [json_object('type', 'text', 'text', entries.raw_json ->> '$.message.content')]
            end
        ) with ordinality as t(block, block_index)

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
        blocks.entry_type,
        blocks.entry_uuid,
        blocks.session_id,
        blocks.project_id,
        blocks.is_sidechain,
        blocks.message_id,
        blocks.request_id,
        blocks.entry_at,
        blocks.event_at,
        blocks.event_date,
        case
            when blocks.block ->> '$.type' = 'tool_result' then blocks.raw_json -> '$.toolUseResult'
        end as tool_use_result,
        {{ build_loaded_at() }} as _loaded_at

    from blocks

)

select * from typed
