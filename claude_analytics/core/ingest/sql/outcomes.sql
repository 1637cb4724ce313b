-- Where every line of the batch ended: each must be exactly one entry or one dead letter.
-- Partitions are [$partition_start, $partition_end).
create temp table outcomes as
with kept as (
    select
        line_index,
        (event_time at time zone 'UTC')::date as event_date
    from timed
    where
        parse_problem is null
        and final_problem is null
        and (event_time at time zone 'UTC')::date between $partition_start and $partition_end - 1
),

ended as (
    select
        line_index,
        event_date
    from kept
    union all
    select
        line_index,
        event_date
    from letters
)

select
    line_index,
    count(*) as endings,
    any_value(event_date) as event_date
from ended
group by line_index
