-- What each tool (and so each MCP server) costs to call. A response that calls tools is
-- split evenly across its calls: the tokens it read and wrote were spent deciding on them.
-- Responses that call nothing are the row '(no tool call)', so the rows add up to the whole
-- cost. A tool's results cost again as context of later requests; the transcripts do not
-- say how much, so result_characters shows the size of what each tool fed back.
with usage as (

    select
        response_id,
        event_date,
        user_id,
        project_id,
        input_tokens,
        output_tokens,
        cache_creation_input_tokens,
        cache_read_input_tokens,
        total_tokens,
        cost_usd
    from {{ ref('fct_token_usage') }}

),

calls as (

    select
        tool_use_id,
        tool_name,
        tool_category,
        is_mcp,
        mcp_server,
        mcp_tool,
        is_error,
        event_date,
        user_id,
        project_id,
        message_id || ':' || coalesce(request_id, '') as response_id,
        coalesce(length(tool_result_text), 0) as result_characters
    from {{ ref('int_tool_usage') }}

),

calls_per_response as (

    select
        response_id,
        count(*) as calls_in_response
    from calls
    where response_id is not null
    group by response_id

),

attributed as (

    select
        calls.*,
        usage.response_id is not null as has_response,
        coalesce(1.0 / calls_per_response.calls_in_response, 0) as share,
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_creation_input_tokens,
        usage.cache_read_input_tokens,
        usage.total_tokens,
        usage.cost_usd
    from calls
    left join calls_per_response using (response_id)
    left join usage using (response_id)

),

tool_rows as (

    -- sums of fractions that do not depend on the rows' order (macros/order_free_sum.sql):
    -- an incremental build, whose rows sit in another order, gives the very same doubles
    select
        event_date,
        user_id,
        project_id,
        tool_name,
        any_value(tool_category) as tool_category,
        any_value(is_mcp) as is_mcp,
        any_value(mcp_server) as mcp_server,
        any_value(mcp_tool) as mcp_tool,
        count(*) as calls,
        count(*) filter (where is_error) as errors,
        count(distinct response_id) filter (where has_response) as calling_responses,
        coalesce({{ order_free_sum('input_tokens * share') }}, 0) as attributed_input_tokens,
        coalesce({{ order_free_sum('output_tokens * share') }}, 0) as attributed_output_tokens,
        coalesce({{ order_free_sum('cache_creation_input_tokens * share') }}, 0)
            as attributed_cache_creation_input_tokens,
        coalesce({{ order_free_sum('cache_read_input_tokens * share') }}, 0)
            as attributed_cache_read_input_tokens,
        coalesce({{ order_free_sum('total_tokens * share') }}, 0) as attributed_total_tokens,
        coalesce({{ order_free_sum('cost_usd * share') }}, 0) as attributed_cost_usd,
        sum(result_characters)::bigint as result_characters
    from attributed
    group by event_date, user_id, project_id, tool_name

),

no_tool_rows as (

    select
        event_date,
        user_id,
        project_id,
        '(no tool call)' as tool_name,
        'none' as tool_category,
        false as is_mcp,
        null as mcp_server,
        null as mcp_tool,
        0 as calls,
        0 as errors,
        count(*) as calling_responses,
        sum(input_tokens)::double as attributed_input_tokens,
        sum(output_tokens)::double as attributed_output_tokens,
        sum(cache_creation_input_tokens)::double as attributed_cache_creation_input_tokens,
        sum(cache_read_input_tokens)::double as attributed_cache_read_input_tokens,
        sum(total_tokens)::double as attributed_total_tokens,
        {{ order_free_sum('cost_usd') }} as attributed_cost_usd,
        0::bigint as result_characters
    from usage
    where response_id not in (select response_id from calls_per_response)
    group by event_date, user_id, project_id

),

final as (

    select * from tool_rows
    union all by name
    select * from no_tool_rows

)

select * from final
