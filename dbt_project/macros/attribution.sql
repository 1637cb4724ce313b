{#- The sessions int_response_turns re-derives: a response's turn and skill depend on the
    prompts, slash commands and Skill calls of its whole session, so a session whose
    responses, messages or tool calls changed is attributed again, all of it. -#}
{% macro changed_turn_sessions() -%}
    {{ changed_keys('int_token_costs', 'session_id', 'session_id is not null') }}
    union
    {{ changed_keys('int_messages', 'session_id', 'session_id is not null') }}
    union
    {{ changed_keys('stg_tool_calls', 'session_id', 'session_id is not null') }}
{%- endmacro %}

{#- Pre-hook: the changed sessions' rows, the window's, and the responses the upstream no
    longer holds (one moved to another session is replaced through unique_key). -#}
{% macro delete_changed_turn_sessions() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where session_id in ({{ changed_turn_sessions() }})
            or {{ in_run_window('event_date') }}
            or response_id not in ({{ kept_keys('int_token_costs', 'response_id') }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
