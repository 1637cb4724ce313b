-- Incremental (see macros/incremental.sql): the entries that changed are read again.
{{
    config(
        unique_key='entry_id',
        pre_hook="{{ delete_changed_keys('entry_id', 'stg_entries', 'entry_id') }}",
    )
}}

with entries as (

    select
        *,
        json_extract_string(
            raw_json,
            ['$.data.elapsedTimeSeconds', '$.data.hookEvent', '$.data.hookName', '$.content']
        ) as details
    from {{ ref('stg_entries') }}
    where
        not is_duplicate
        and entry_type in ('progress', 'queue-operation')
        {% if is_incremental() %}
        and {{ changed_since_previous_build() }}
        {% endif %}

),

final as (

    select
        entry_id,
        entry_uuid,
        session_id,
        project_id,
        is_sidechain,
        entry_type,
        -- progress: data.type (agent_progress, bash_progress, hook_progress, ...);
        -- queue-operation: the operation (enqueue, dequeue, remove, popAll)
        entry_subtype as event_kind,
        tool_use_id,
        parent_tool_use_id,
        agent_id,
        is_response_echo,
        case when is_response_echo then message_id end as echoed_message_id,
        case when is_response_echo then request_id end as echoed_request_id,
        case when is_response_echo then model end as echoed_model,
        coalesce(
            duration_ms,
            cast(round(try_cast(details[1] as double) * 1000) as bigint)
        ) as duration_ms,
        details[2] as hook_event,
        details[3] as hook_name,
        length(details[4]) as queued_text_length,
        event_at,
        event_date,
        {{ build_loaded_at() }} as _loaded_at
    from entries

)

select * from final
