-- Failed tool calls by error class. The mart carries user_id: $user null is everyone.
select
    error_class,
    count(*) as errors
from marts.fct_tool_errors
where $user is null or user_id = $user
group by all
order by errors desc, error_class asc
