{#- The days this build re-derives: the event days the warehouse load replaced since this
    model's previous build, read from `raw.loaded_days` (the warehouse asset appends one row
    per changed day in the same transaction as the rows themselves). Being data rather than
    `--vars`, the window never invalidates dbt's partial parsing, and a model that missed a
    load (a failed build, a load without dbt) catches up on its next build. A full refresh
    (or the first build) rebuilds every day. -#}
{% macro in_run_window(column) -%}
    {{ column }} in (
        select event_date from {{ source('raw', 'loaded_days') }}
        where loaded_at > {{ previous_build_loaded_at() }}
    )
{%- endmacro %}
