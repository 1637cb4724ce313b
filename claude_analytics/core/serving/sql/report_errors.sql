-- `report errors`: failed tool calls per class, with the class's most frequent messages.
with filtered as (

    select * from marts.fct_tool_errors
    where
        ($since is null or event_date >= $since)
        and ($until is null or event_date <= $until)
        and ($project is null or contains(project_id, $project))
        and ($user is null or contains(user_id, $user))

),

patterns as (

    select
        error_class,
        error_pattern,
        count(*) as occurrences,
        arg_min(error_message, (called_at, tool_use_id)) as example_message,
        list(distinct tool_name order by tool_name) as tool_names
    from filtered
    group by all

),

ranked as (

    select
        *,
        sum(occurrences) over (partition by error_class) as class_errors,
        sum(occurrences) over () as all_errors,
        row_number() over (partition by error_class order by occurrences desc, error_pattern asc)
            as class_rank
    from patterns

)

select
    error_class,
    class_errors,
    class_errors / all_errors as class_share,
    class_rank,
    error_pattern,
    occurrences,
    example_message,
    tool_names
from ranked
where class_rank <= $top
order by class_errors desc, error_class asc, class_rank asc
