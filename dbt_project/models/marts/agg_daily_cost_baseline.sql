-- Each day's cost against the median of the days with usage before it (a history with
-- quiet weeks would otherwise have a median of zero). A spike is a day far above that
-- median, by a factor and by an absolute amount (thresholds: vars in dbt_project.yml).
with days as (

    select
        event_date,
        api_responses,
        cost_usd
    from {{ ref('agg_daily_summary') }}
    where api_responses > 0

),

history as (

    select
        *,
        median(cost_usd) over previous_days as trailing_median_cost_usd,
        count(*) over previous_days as trailing_days
    from days
    window previous_days as (
        order by event_date
        rows between {{ var('anomaly_trailing_days') }} preceding and 1 preceding
    )

),

final as (

    select
        event_date,
        api_responses,
        cost_usd,
        trailing_median_cost_usd,
        trailing_days,
        cost_usd / nullif(trailing_median_cost_usd, 0) as cost_ratio,
        coalesce(
            trailing_days >= {{ var('anomaly_min_trailing_days') }}
            and cost_usd >= {{ var('anomaly_cost_spike_factor') }} * trailing_median_cost_usd
            and cost_usd - trailing_median_cost_usd >= {{ var('anomaly_cost_spike_min_usd') }},
            false
        ) as is_cost_spike
    from history

)

select * from final
