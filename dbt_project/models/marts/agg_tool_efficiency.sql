with calls as (

    select * from {{ ref('fct_tool_calls') }}

),

final as (

    select
        tool_name,
        any_value(tool_category) as tool_category,
        any_value(is_mcp) as is_mcp,
        count(*) as calls,
        count(*) filter (where is_error) as errors,
        count(*) filter (where is_error) / count(*) as error_rate,
        count(*) filter (where is_interrupted) as interruptions,
        count(*) filter (where not has_result) as calls_without_result,
        quantile_cont(latency_ms, 0.5) as p50_latency_ms,
        quantile_cont(latency_ms, 0.95) as p95_latency_ms,
        avg(latency_ms) as avg_latency_ms
    from calls
    group by tool_name

)

select * from final
