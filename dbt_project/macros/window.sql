{#- The partition window a Dagster run owns, [min_date, max_date). Incremental facts
    rebuild exactly these days; a full refresh (or the first build) rebuilds every day. -#}
{% macro in_run_window(column) -%}
    {{ column }} >= cast('{{ var("min_date") }}' as date)
    and {{ column }} < cast('{{ var("max_date") }}' as date)
{%- endmacro %}
