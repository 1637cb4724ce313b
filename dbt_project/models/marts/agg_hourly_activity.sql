with messages as (

    select * from {{ ref('fct_messages') }}

),

usage as (

    select * from {{ ref('fct_token_usage') }}

),

tool_calls as (

    select * from {{ ref('fct_tool_calls') }}

),

grid as (

    select
        weekday.iso_weekday,
        hour.hour_of_day
    from range(1, 8) as weekday (iso_weekday)
    cross join range(0, 24) as hour (hour_of_day)

),

message_hours as (

    select
        isodow(event_at at time zone 'UTC') as iso_weekday,
        hour(event_at at time zone 'UTC') as hour_of_day,
        count(*) filter (where is_prompt) as prompts,
        count(distinct session_id) as sessions,
        count(distinct event_date) as active_days
    from messages
    group by all

),

usage_hours as (

    select
        isodow(responded_at at time zone 'UTC') as iso_weekday,
        hour(responded_at at time zone 'UTC') as hour_of_day,
        count(*) as api_responses,
        sum(total_tokens)::bigint as total_tokens,
        sum(cost_usd) as cost_usd
    from usage
    group by all

),

tool_hours as (

    select
        isodow(called_at at time zone 'UTC') as iso_weekday,
        hour(called_at at time zone 'UTC') as hour_of_day,
        count(*) as tool_calls
    from tool_calls
    group by all

),

final as (

    select
        grid.iso_weekday,
        grid.hour_of_day,
        coalesce(message_hours.prompts, 0) as prompts,
        coalesce(message_hours.sessions, 0) as sessions,
        coalesce(message_hours.active_days, 0) as active_days,
        coalesce(usage_hours.api_responses, 0) as api_responses,
        coalesce(usage_hours.total_tokens, 0) as total_tokens,
        coalesce(usage_hours.cost_usd, 0) as cost_usd,
        coalesce(tool_hours.tool_calls, 0) as tool_calls
    from grid
    left join message_hours using (iso_weekday, hour_of_day)
    left join usage_hours using (iso_weekday, hour_of_day)
    left join tool_hours using (iso_weekday, hour_of_day)

)

select * from final
