-- `report daily|weekly|monthly|session`: token and cost totals per period, and per value of
-- the `--by` dimension (grouping sets: each period's total row, then its breakdown rows),
-- from one row per API response, in the local time of the `timezone` parameter.
--
-- The three names in braces below are slots, not parameters: core/serving/queries.py fills
-- them with fixed expressions chosen by the report kind and options, never with user text
-- (a filter on user_id is only written when asked for, so snapshots from before the user
-- columns still answer the other reports). The user's values are bound parameters.
with usage as (
    select
        *,
        timezone($timezone, responded_at::timestamptz) as local_at
    from marts.fct_token_usage
),

filtered as (
    select
        *,
        ${period_expression} as period,
        ${dimension_expression} as dimension
    from usage
    where
        ($since is null or local_at::date >= $since)
        and ($until is null or local_at::date <= $until)
        and ($project is null or contains(project_id, $project))
        and ${user_filter}
)

select
    period,
    dimension,
    grouping(dimension) = 1 as is_total,
    list(distinct model_id order by model_id) as models,
    sum(input_tokens) as input_tokens,
    sum(output_tokens) as output_tokens,
    sum(cache_creation_input_tokens) as cache_creation_input_tokens,
    sum(cache_read_input_tokens) as cache_read_input_tokens,
    sum(
        coalesce(input_tokens, 0)
        + coalesce(output_tokens, 0)
        + coalesce(cache_creation_input_tokens, 0)
        + coalesce(cache_read_input_tokens, 0)
    ) as total_tokens,
    sum(cost_usd) as cost_usd,
    sum(unpriced_tokens) as unpriced_tokens,
    coalesce(
        list(distinct model_id order by model_id) filter (where unpriced_tokens > 0), []
    ) as unpriced_models,
    -- the session report's own columns (the others leave them out)
    any_value(project_id) as project_id,
    strftime(max(local_at), '%Y-%m-%d %H:%M') as last_activity
from filtered
group by grouping sets ((period), (period, dimension))
order by period asc, is_total desc, dimension asc
