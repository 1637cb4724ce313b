{#- The sessions int_subagent_runs re-derives: a subagent's file, its echoes in the parent
    session and the Task call that started it all carry the parent's session id. -#}
{% macro changed_run_sessions() -%}
    {{ changed_keys('stg_entries', 'session_id', 'session_id is not null') }}
    union
    {{ changed_keys('stg_tool_calls', 'session_id', 'session_id is not null') }}
{%- endmacro %}

{% macro delete_changed_run_sessions() -%}
    {{ delete_rebuilt_rows(
        'session_id',
        changed_run_sessions(),
        'event_date',
        kept_keys('stg_entries', 'session_id'),
    ) }}
{%- endmacro %}
