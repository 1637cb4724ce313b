{#- The responses int_token_costs prices again: those that changed, those whose model's
    match or prices changed (reference.model_matches keeps `_loaded_at` of unchanged models),
    and those of subagent runs whose parent tool call changed. -#}
{% macro changed_priced_responses() -%}
    {{ changed_keys('stg_api_responses', 'response_id') }}
    union
    select response_id from {{ ref('stg_api_responses') }}
    where model in (
        select model_id from {{ source('reference', 'model_matches') }}
        where {{ changed_since_previous_build() }}
    )
    union
    select response_id from {{ ref('stg_api_responses') }}
    where agent_id in (
        {{ changed_keys('int_subagent_runs', 'agent_id') }}
    )
{%- endmacro %}

{% macro delete_changed_priced_responses() -%}
    {{ delete_rebuilt_rows(
        'response_id',
        changed_priced_responses(),
        kept_keys_sql=kept_keys('stg_api_responses', 'response_id'),
    ) }}
{%- endmacro %}
