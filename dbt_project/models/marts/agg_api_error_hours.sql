-- Hours with API errors (Claude Code's notices of failed requests: overloaded, rate
-- limited, server errors). A burst is an hour with many of them that are a large share of
-- that hour's responses (thresholds: vars in dbt_project.yml).
with usage as (

    select
        date_trunc('hour', responded_at at time zone 'UTC') as hour_utc,
        session_id,
        user_id,
        is_api_error_message
    from {{ ref('fct_token_usage') }}

),

hours as (

    select
        hour_utc at time zone 'UTC' as hour_started_at,
        cast(hour_utc as date) as event_date,
        count(*) as api_responses,
        count(*) filter (where is_api_error_message) as api_errors,
        count(distinct session_id) filter (where is_api_error_message) as sessions_with_errors,
        count(distinct user_id) filter (where is_api_error_message) as users_with_errors
    from usage
    group by hour_utc
    having count(*) filter (where is_api_error_message) > 0

),

final as (

    select
        *,
        api_errors / api_responses as api_error_share,
        api_errors >= {{ var('anomaly_api_error_burst') }}
        and api_errors / api_responses >= {{ var('anomaly_api_error_share') }} as is_error_burst
    from hours

)

select * from final
