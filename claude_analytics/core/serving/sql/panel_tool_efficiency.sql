-- The 15 most called tools: calls, errors and p95 latency.
select
    tool_name,
    calls,
    errors,
    error_rate,
    p95_latency_ms
from marts.agg_tool_efficiency
order by calls desc
limit 15
