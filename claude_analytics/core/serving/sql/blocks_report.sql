-- `report blocks`: each 5-hour usage block, its start and end in $timezone; $since and
-- $until are local days.
with blocks as (
    select
        *,
        timezone($timezone, block_started_at::timestamptz) as local_start,
        timezone($timezone, block_ends_at::timestamptz) as local_end
    from marts.agg_usage_blocks
)

select
    input_tokens,
    output_tokens,
    cache_creation_input_tokens,
    cache_read_input_tokens,
    total_tokens,
    cost_usd,
    unpriced_tokens,
    unpriced_models,
    strftime(local_start, '%Y-%m-%d %H:%M') as period,
    strftime(local_end, '%Y-%m-%d %H:%M') as block_end
from blocks
where
    ($since is null or local_start::date >= $since)
    and ($until is null or local_start::date <= $until)
order by block_started_at
