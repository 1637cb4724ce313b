-- Stand-ins for the marts the analytics issue builds, with the columns
-- claude_analytics/lib/serving_queries.py MART_CONTRACT names. Each is created only when
-- the real mart is absent, so once the dbt marts exist the tests run on them unchanged.
-- Prices are rough per-million-token list prices; the tests compare readers to the marts,
-- never to these prices.

create schema if not exists marts;

create table if not exists marts.fct_token_usage as
with prices(family, input_price, output_price) as (
    values ('opus', 15.0, 75.0), ('sonnet', 3.0, 15.0), ('haiku', 1.0, 5.0)
),
responses as (
    select
        *,
        row_number() over (
            partition by message_id, coalesce(request_id, '')
            order by
                coalesce(input_tokens, 0) + coalesce(output_tokens, 0)
                + coalesce(cache_creation_input_tokens, 0) + coalesce(cache_read_input_tokens, 0) desc,
                coalesce(is_sidechain, false),
                entry_id
        ) as copy_rank
    from raw.conversations
    where entry_type = 'assistant' and message_id is not null and model <> '<synthetic>'
)
select
    r.message_id,
    r.request_id,
    r.session_id,
    r.project_id,
    r.git_branch,
    r.model as model_id,
    r.event_time as responded_at,
    r.event_date,
    coalesce(r.is_sidechain, false) as is_sidechain,
    coalesce(r.input_tokens, 0) as input_tokens,
    coalesce(r.output_tokens, 0) as output_tokens,
    coalesce(r.cache_creation_input_tokens, 0) as cache_creation_input_tokens,
    coalesce(r.cache_read_input_tokens, 0) as cache_read_input_tokens,
    coalesce(
        (
            coalesce(r.input_tokens, 0) * p.input_price
            + coalesce(r.output_tokens, 0) * p.output_price
            + coalesce(r.cache_creation_input_tokens, 0) * p.input_price * 1.25
            + coalesce(r.cache_read_input_tokens, 0) * p.input_price * 0.1
        ) / 1e6,
        0
    ) as cost_usd
from responses as r
left join prices as p on contains(r.model, p.family)
where r.copy_rank = 1;

create table if not exists marts.agg_model_costs as
select
    event_date,
    model_id,
    sum(input_tokens) as input_tokens,
    sum(output_tokens) as output_tokens,
    sum(cache_creation_input_tokens) as cache_creation_input_tokens,
    sum(cache_read_input_tokens) as cache_read_input_tokens,
    sum(input_tokens + output_tokens + cache_creation_input_tokens + cache_read_input_tokens)
        as total_tokens,
    sum(cost_usd) as cost_usd
from marts.fct_token_usage
group by all;

create table if not exists marts.dim_sessions as
with costs as (
    select session_id, sum(cost_usd) as cost_usd
    from marts.fct_token_usage
    group by session_id
)
select
    session_id,
    any_value(c.project_id) as project_id,
    any_value(c.git_branch) as git_branch,
    min(c.event_time) as started_at,
    max(c.event_time) as ended_at,
    epoch(max(c.event_time)) - epoch(min(c.event_time)) as duration_seconds,
    coalesce(any_value(costs.cost_usd), 0) as cost_usd
from raw.conversations as c
left join costs using (session_id)
where session_id is not null
group by session_id;

create table if not exists marts.agg_hourly_activity as
select
    isodow(event_time at time zone 'UTC') as iso_weekday,
    hour(event_time at time zone 'UTC') as hour_of_day,
    count(*) as prompts
from raw.conversations
where entry_type = 'user' and json_type(raw_json, '$.message.content') = 'VARCHAR'
group by all;

create table if not exists marts.fct_tool_calls as
with calls as (
    select
        c.event_time as called_at,
        c.event_date,
        c.session_id,
        json_extract_string(block.value, '$.id') as tool_use_id,
        json_extract_string(block.value, '$.name') as tool_name
    from raw.conversations as c, json_each(c.raw_json, '$.message.content') as block
    where c.entry_type = 'assistant'
        and json_type(c.raw_json, '$.message.content') = 'ARRAY'
        and json_extract_string(block.value, '$.type') = 'tool_use'
),
results as (
    select
        c.event_time as result_at,
        json_extract_string(block.value, '$.tool_use_id') as tool_use_id,
        coalesce(try_cast(json_extract_string(block.value, '$.is_error') as boolean), false) as is_error
    from raw.conversations as c, json_each(c.raw_json, '$.message.content') as block
    where c.entry_type = 'user'
        and json_type(c.raw_json, '$.message.content') = 'ARRAY'
        and json_extract_string(block.value, '$.type') = 'tool_result'
)
select distinct on (calls.tool_use_id)
    calls.tool_use_id,
    calls.tool_name,
    case
        when starts_with(calls.tool_name, 'mcp__') then 'mcp'
        when calls.tool_name in ('Read', 'Grep', 'Glob') then 'read'
        when calls.tool_name in ('Edit', 'MultiEdit', 'Write') then 'edit'
        when calls.tool_name = 'Bash' then 'execute'
        else 'other'
    end as tool_category,
    calls.session_id,
    calls.event_date,
    coalesce(results.is_error, false) as is_error,
    epoch_ms(results.result_at) - epoch_ms(calls.called_at) as latency_ms
from calls
left join results using (tool_use_id)
order by calls.tool_use_id, results.result_at;

create table if not exists marts.agg_tool_efficiency as
select
    tool_name,
    any_value(tool_category) as tool_category,
    count(*) as calls,
    count(*) filter (where is_error) as errors,
    count(*) filter (where is_error) / count(*) as error_rate,
    quantile_cont(latency_ms, 0.5) as p50_latency_ms,
    quantile_cont(latency_ms, 0.95) as p95_latency_ms
from marts.fct_tool_calls
group by tool_name;

create table if not exists marts.dim_tools as
select distinct tool_name, tool_category
from marts.fct_tool_calls;

create table if not exists marts.fct_file_operations as
with patched as (
    select
        entry_id,
        event_date,
        json_extract_string(raw_json, '$.toolUseResult.filePath') as file_path,
        coalesce(json_extract_string(raw_json, '$.toolUseResult.type'), 'update') as operation,
        json_extract_string(raw_json, '$.toolUseResult.structuredPatch[*].lines[*]') as patch_lines
    from raw.conversations
    where entry_type = 'user' and json_exists(raw_json, '$.toolUseResult.structuredPatch')
)
select
    entry_id,
    event_date,
    file_path,
    lower(regexp_extract(file_path, '\.([^./]+)$', 1)) as file_extension,
    operation,
    len(list_filter(patch_lines, l -> starts_with(l, '+'))) as lines_added,
    len(list_filter(patch_lines, l -> starts_with(l, '-'))) as lines_removed
from patched
where file_path is not null;

create table if not exists marts.agg_code_changes as
select
    event_date,
    count(distinct file_path) as files_touched,
    sum(lines_added) as lines_added,
    sum(lines_removed) as lines_removed
from marts.fct_file_operations
group by event_date;

create table if not exists marts.agg_usage_blocks as
with bucketed as (
    select
        time_bucket(interval 5 hours, responded_at) as block_started_at,
        *
    from marts.fct_token_usage
)
select
    block_started_at,
    block_started_at + interval 5 hours as block_ends_at,
    count(*) as api_responses,
    sum(input_tokens) as input_tokens,
    sum(output_tokens) as output_tokens,
    sum(cache_creation_input_tokens) as cache_creation_input_tokens,
    sum(cache_read_input_tokens) as cache_read_input_tokens,
    sum(input_tokens + output_tokens + cache_creation_input_tokens + cache_read_input_tokens)
        as total_tokens,
    sum(cost_usd) as cost_usd
from bucketed
group by block_started_at;
