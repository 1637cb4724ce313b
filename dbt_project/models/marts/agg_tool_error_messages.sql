-- The messages behind each class of tool error, most frequent first: the same failure
-- (a path or a number apart) groups under one pattern.
with errors as (

    select * from {{ ref('fct_tool_errors') }}

),

patterns as (

    select
        error_class,
        error_pattern,
        count(*) as occurrences,
        count(distinct session_id) as sessions,
        list(distinct tool_name order by tool_name) as tool_names,
        min(called_at) as first_seen_at,
        max(called_at) as last_seen_at,
        arg_min(error_message, (called_at, tool_use_id)) as example_message
    from errors
    group by error_class, error_pattern

),

final as (

    select
        *,
        row_number() over (
            partition by error_class order by occurrences desc, error_pattern asc
        ) as class_rank,
        occurrences / sum(occurrences) over (partition by error_class) as class_share
    from patterns

)

select * from final
