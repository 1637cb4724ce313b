{#- A composite primary key: no two rows share the same values of `columns`
    (dbt_utils has this, but dbt packages need the network). -#}
{% test unique_combination(model, columns) %}

select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
