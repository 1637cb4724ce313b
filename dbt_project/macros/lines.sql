{#- Lines of a text the way an editor counts them: "a\nb" and "a\nb\n" are 2, "" is 0. -#}
{% macro line_count(text) -%}
    case
        when {{ text }} is null or {{ text }} = '' then 0
        else length({{ text }}) - length(replace({{ text }}, chr(10), ''))
            + case when ends_with({{ text }}, chr(10)) then 0 else 1 end
    end
{%- endmacro %}
