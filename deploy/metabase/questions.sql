-- The Metabase questions provision.py creates, in DuckDB SQL over the serving snapshot.
-- Each block starts with `-- question:`; `-- display:` is a Metabase visualization
-- (line, bar, row, pie, table, scalar) and `-- x:` / `-- y:` name the plotted columns.
-- Tests run every query against a real snapshot, so a renamed mart column fails CI.

-- question: Sessions over time
-- display: line
-- x: event_date
-- y: sessions
-- description: Distinct sessions per day (UTC).
select event_date, sessions
from marts.agg_daily_summary
order by event_date;

-- question: Session duration
-- display: bar
-- x: duration_bucket
-- y: sessions
-- description: How long sessions run, in 15-minute buckets (wall-clock, first to last entry).
select
    (floor(duration_seconds / 900) * 15)::int as duration_bucket,
    count(*) as sessions
from marts.dim_sessions
where duration_seconds is not null
group by all
order by duration_bucket;

-- question: Activity heatmap
-- display: table
-- description: Prompts per ISO weekday (1 = Monday) and UTC hour; conditional formatting makes it a heatmap.
pivot (
    select iso_weekday, lpad(hour_of_day::varchar, 2, '0') as hour_of_day, prompts
    from marts.agg_hourly_activity
)
on hour_of_day
using sum(prompts)
group by iso_weekday
order by iso_weekday;

-- question: Tool usage
-- display: bar
-- x: tool_name
-- y: calls, errors
-- description: Calls, errors, error rate and latency per tool.
select tool_name, calls, errors, round(100 * error_rate, 1) as error_rate_pct, p95_latency_ms
from marts.agg_tool_efficiency
order by calls desc;

-- question: Tool categories
-- display: pie
-- x: category
-- y: calls
-- description: Tool calls by category (file read, edit, execute, MCP, ...).
select coalesce(tool_category, 'unknown') as category, count(*) as calls
from marts.fct_tool_calls
group by all
order by calls desc;

-- question: Project activity
-- display: row
-- x: project_id
-- y: api_responses
-- description: API responses, sessions and cost per project.
select
    project_id,
    count(*) as api_responses,
    count(distinct session_id) as sessions,
    round(sum(cost_usd), 2) as cost_usd
from marts.fct_token_usage
group by all
order by api_responses desc;

-- question: Code changes
-- display: bar
-- x: event_date
-- y: lines_added, lines_removed
-- description: Files touched and lines added and removed per day.
select event_date, sum(files_touched) as files_touched, sum(lines_added) as lines_added,
    sum(lines_removed) as lines_removed
from marts.agg_code_changes
group by all
order by event_date;

-- question: File types
-- display: pie
-- x: file_extension
-- y: operations
-- description: File operations by extension.
select coalesce(nullif(file_extension, ''), '(none)') as file_extension, count(*) as operations
from marts.fct_file_operations
group by all
order by operations desc;

-- question: Daily tokens by model
-- display: bar
-- x: event_date, model_id
-- y: total_tokens
-- description: Input, output, cache-write and cache-read tokens per day and model.
select
    event_date,
    model_id,
    sum(input_tokens) as input_tokens,
    sum(output_tokens) as output_tokens,
    sum(cache_creation_input_tokens) as cache_creation_input_tokens,
    sum(cache_read_input_tokens) as cache_read_input_tokens,
    sum(input_tokens + output_tokens + cache_creation_input_tokens + cache_read_input_tokens)
        as total_tokens
from marts.agg_model_costs
group by all
order by event_date, model_id;

-- question: Daily cost by model
-- display: bar
-- x: event_date, model_id
-- y: cost_usd
-- description: Cost in USD per day and model, at the price in force on the day.
select event_date, model_id, round(sum(cost_usd), 4) as cost_usd
from marts.agg_model_costs
group by all
order by event_date, model_id;

-- question: Cost by git branch
-- display: row
-- x: git_branch
-- y: cost_usd
-- description: Where the spend goes, by the branch checked out at the time.
select coalesce(nullif(git_branch, ''), '(no branch)') as git_branch, round(sum(cost_usd), 2) as cost_usd
from marts.dim_sessions
group by all
order by cost_usd desc;

-- question: 5-hour usage blocks
-- display: bar
-- x: block_started_at
-- y: total_tokens
-- description: Tokens and cost per 5-hour block, as Claude subscribers track them.
select block_started_at, block_ends_at, total_tokens, round(cost_usd, 2) as cost_usd
from marts.agg_usage_blocks
order by block_started_at;

-- question: Data quality: latest checks
-- display: table
-- description: The newest result of every asset check, failures first.
select asset_key, check_name, passed, severity, evaluated_at
from quality.check_results
order by passed, asset_key, check_name;

-- question: Data quality: dead letters
-- display: table
-- description: Entries that could not be used, by reason.
select reason, count(*) as entries, min(event_date) as first_date, max(event_date) as last_date
from quality.dead_letters
group by all
order by entries desc;
