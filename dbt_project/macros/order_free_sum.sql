{#- A sum of doubles whose result does not depend on the order of the rows, so an incremental
    build (its rows in another physical order) gives the very same value as a full one.
    Each term is rounded to 1e-15 and held as a hugeint; integers add exactly in any order.
    An ordered aggregate (`sum(x order by key)`) is deterministic too, but it keeps every
    group's rows in memory and cannot spill: at 10M entries it ran DuckDB out of its memory
    limit (BENCHMARKS.md). 1e-15 is far below a cent and a token; a hugeint holds 1.7e38,
    so sums up to 1e23 (tokens or dollars) fit. -#}
{% macro order_free_sum(expression) -%}
    (sum(cast(round(({{ expression }}) * 1e15) as hugeint)) / 1e15)
{%- endmacro %}
