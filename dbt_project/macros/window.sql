{#- The partition window a Dagster run owns, [min_date, max_date). Incremental facts
    rebuild exactly these days; a full refresh (or the first build) rebuilds every day. -#}
{% macro in_run_window(column) -%}
    {{ column }} >= cast('{{ var("min_date") }}' as date)
    and {{ column }} < cast('{{ var("max_date") }}' as date)
{%- endmacro %}

{#- Deletes the window before an incremental build inserts it again, so a day that lost
    rows upstream (or gained them) ends exactly as the source says; a no-op otherwise. -#}
{% macro delete_run_window() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_run_window('event_date') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
