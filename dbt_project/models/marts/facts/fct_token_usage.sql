-- Incremental (see macros/incremental.sql): rebuilds the rows whose upstream changed.
{{
    config(
        unique_key='response_id',
        pre_hook="{{ delete_changed_keys('response_id', 'int_token_costs', 'response_id') }}",
    )
}}

with responses as (

    select * from {{ ref('int_token_costs') }}
    {% if is_incremental() %}
    where {{ changed_since_previous_build() }}
    {% endif %}

),

final as (

    select
        response_id,
        message_id,
        request_id,
        entry_id,
        session_id,
        project_id,
        user_id,
        hostname,
        git_branch,
        model as model_id,
        is_sidechain,
        is_response_echo,
        agent_id,
        parent_tool_use_id,
        subagent_type,
        is_api_error_message,
        event_at as responded_at,
        event_date,
        input_tokens,
        output_tokens,
        cache_creation_input_tokens,
        cache_creation_5m_input_tokens,
        cache_creation_1h_input_tokens,
        cache_read_input_tokens,
        total_tokens,
        is_priced,
        unpriced_tokens,
        price_provider_id,
        price_model_id,
        price_valid_from,
        price_tier_input_tokens_above,
        input_cost_usd,
        output_cost_usd,
        cache_write_cost_usd,
        cache_read_cost_usd,
        cost_usd,
        {{ build_loaded_at() }} as _loaded_at
    from responses

)

select * from final
