{#- How the incremental models stay exact while a build costs what changed, not the history.

    Every row of an incremental model carries `_loaded_at`: the start of the dbt run that
    wrote it. A build re-derives the keys (entry, response, tool call, session) that some
    upstream row written since the model's previous build touches, reading every upstream
    row of those keys, and nothing else. `stg_entries` is where it starts: it re-derives
    the run window's entries plus every entry whose duplicate ranking the window can
    change. A failed build leaves its watermark behind, so the next build catches up.
    A full refresh (or the first build) derives everything. -#}

{#- The `_loaded_at` value of the rows this build writes. -#}
{% macro build_loaded_at() -%}
    cast('{{ run_started_at.isoformat() }}' as timestamptz)
{%- endmacro %}

{#- The `_loaded_at` of this model's previous build (-infinity on a first build). Rows this
    build has already written are left out, so a post-hook sees the same watermark as the
    model's SQL and its pre-hooks. -#}
{% macro previous_build_loaded_at() -%}
    {%- set value = none -%}
    {%- if execute and is_incremental() -%}
        {%- set result = run_query(
            'select cast(max(_loaded_at) as varchar) from ' ~ this
            ~ ' where _loaded_at < ' ~ build_loaded_at()
        ) -%}
        {%- set value = result.columns[0].values()[0] -%}
    {%- endif -%}
    {%- if value is none -%}
        cast('-infinity' as timestamptz)
    {%- else -%}
        cast('{{ value }}' as timestamptz)
    {%- endif -%}
{%- endmacro %}

{#- True for upstream rows written after this model's previous build. -#}
{% macro changed_since_previous_build(column='_loaded_at') -%}
    {{ column }} > {{ previous_build_loaded_at() }}
{%- endmacro %}

{#- The keys this build re-derives: `key_expression` of the upstream rows written since
    this model's previous build (every key on a first build). -#}
{% macro changed_keys(upstream, key_expression, where='true') -%}
    select distinct {{ key_expression }}
    from {{ ref(upstream) }}
    where {{ changed_since_previous_build() }}
        and ({{ where }})
{%- endmacro %}

{#- Pre-hook: delete the rows whose key is in `changed_keys_sql`, the window's rows, and
    (given `kept_keys_sql`) the rows whose key the upstream no longer holds: an upstream row
    dropped rather than rewritten (an entry that became a duplicate of a copy loaded on
    another day, a response that left the source) has no new row to name its key. A no-op
    on a first build. -#}
{% macro delete_rebuilt_rows(key, changed_keys_sql, date_column='event_date', kept_keys_sql=none) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key }} in ({{ changed_keys_sql }})
            or {{ in_run_window(date_column) }}
            {%- if kept_keys_sql is not none %}
            or {{ key }} not in ({{ kept_keys_sql }})
            {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The keys `upstream` holds (no null, so `not in` stays exact). -#}
{% macro kept_keys(upstream, key_expression, where='true') -%}
    select {{ key_expression }} from {{ ref(upstream) }}
    where ({{ where }}) and {{ key_expression }} is not null
{%- endmacro %}

{% macro delete_changed_keys(key, upstream, key_expression, where='true') -%}
    {{ delete_rebuilt_rows(
        key,
        changed_keys(upstream, key_expression, where),
        kept_keys_sql=kept_keys(upstream, key_expression, where),
    ) }}
{%- endmacro %}

{#- Post-hook of stg_entries: entries of the window's days that left the source. -#}
{% macro delete_entries_gone_from_window() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ in_run_window('event_date') }}
            and entry_id not in (
                select entry_id from {{ source('raw', 'conversations') }}
                where {{ in_run_window('event_date') }}
            )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- ccusage's rule: one API response is (message.id, requestId); message.id alone when the
    request id is missing. -#}
{% macro response_key() -%}
    message_id || ':' || coalesce(request_id, '')
{%- endmacro %}

{#- The entries that carry an API response: assistant entries, and subagent responses
    echoed into the parent session (agent_progress). -#}
{% macro assistant_with_message() -%}
    (entry_type = 'assistant' or is_response_echo) and message_id is not null
{%- endmacro %}

{#- The sessions int_sessions re-derives: those with an entry, response or tool call
    written since its previous build. -#}
{% macro changed_sessions() -%}
    {{ changed_keys('stg_entries', 'session_id', 'session_id is not null') }}
    union
    {{ changed_keys('int_token_costs', 'session_id', 'session_id is not null') }}
    union
    {{ changed_keys('stg_tool_calls', 'session_id', 'session_id is not null') }}
{%- endmacro %}

{% macro delete_changed_sessions() -%}
    {{ delete_rebuilt_rows(
        'session_id',
        changed_sessions(),
        'session_date',
        kept_keys('stg_entries', 'session_id'),
    ) }}
{%- endmacro %}
