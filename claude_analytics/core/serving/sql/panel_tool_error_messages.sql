-- The three most frequent messages of each tool-error class, with one example each.
-- The mart carries user_id: $user null is everyone.
with patterns as (
    select
        error_class,
        error_pattern,
        count(*) as occurrences,
        arg_min(error_message, (called_at, tool_use_id)) as example_message
    from marts.fct_tool_errors
    where $user is null or user_id = $user
    group by all
),

ranked as (
    select
        *,
        sum(occurrences) over (partition by error_class) as class_errors,
        row_number() over (
            partition by error_class order by occurrences desc, error_pattern asc
        ) as class_rank
    from patterns
)

select
    error_class,
    class_errors,
    occurrences,
    example_message
from ranked
where class_rank <= 3
order by class_errors desc, error_class asc, class_rank asc
