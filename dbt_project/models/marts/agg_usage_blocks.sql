with usage as (

    -- Claude's own error notices are not billed usage and do not open a block
    -- block arithmetic in naive UTC, so hours floor the same whatever the session time zone
    select
        *,
        date_trunc('hour', responded_at at time zone 'UTC') as responded_hour
    from {{ ref('fct_token_usage') }}
    where not is_api_error_message

),

active_hours as (

    -- the blocks are found over the hours that have usage (a few thousand a year), not
    -- over every response: one recursion step scans this, not the facts
    select distinct responded_hour
    from usage

),

blocks as (

    -- A block starts at the hour of its first response and lasts 5 hours; the next block
    -- starts at the first response after that. (A gap over 5 hours between responses also
    -- ends a block, which this rule already implies.) One recursion step per block.
    with recursive starts (block_start) as (
        select min(responded_hour) from active_hours
        union all
        select (
            select min(active_hours.responded_hour)
            from active_hours
            where active_hours.responded_hour >= starts.block_start + interval 5 hour
        )
        from starts
        where starts.block_start is not null
    )

    select block_start
    from starts
    where block_start is not null

),

hour_blocks as (

    select
        active_hours.responded_hour,
        blocks.block_start
    from active_hours
    inner join blocks
        on active_hours.responded_hour >= blocks.block_start
        and active_hours.responded_hour < blocks.block_start + interval 5 hour

),

final as (

    select
        blocks.block_start at time zone 'UTC' as block_started_at,
        (blocks.block_start + interval 5 hour) at time zone 'UTC' as block_ends_at,
        min(usage.responded_at) as first_response_at,
        max(usage.responded_at) as last_response_at,
        count(*) as api_responses,
        count(distinct usage.session_id) as sessions,
        sum(usage.input_tokens)::bigint as input_tokens,
        sum(usage.output_tokens)::bigint as output_tokens,
        sum(usage.cache_creation_input_tokens)::bigint as cache_creation_input_tokens,
        sum(usage.cache_read_input_tokens)::bigint as cache_read_input_tokens,
        sum(usage.total_tokens)::bigint as total_tokens,
        sum(usage.cost_usd) as cost_usd,
        sum(usage.unpriced_tokens)::bigint as unpriced_tokens,
        coalesce(
            list(distinct usage.model_id order by usage.model_id) filter (
                where usage.unpriced_tokens > 0
            ),
            []
        ) as unpriced_models
    from hour_blocks as blocks
    inner join usage using (responded_hour)
    group by blocks.block_start

)

select * from final
