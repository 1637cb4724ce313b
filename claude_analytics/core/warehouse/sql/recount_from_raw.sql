-- Responses and the four token totals straight from raw.conversations, written apart from
-- the dbt models (a grouped arg_max, not their window). One API response is (message.id,
-- requestId), message.id alone without a request id. Its counts are those of its copy with
-- the largest token total (streaming grows output_tokens); at equal totals a main-chain copy
-- is preferred to a subagent's: a sidechain entry, or an agent_progress echo of the
-- subagent's response in the parent session.
with echoes as (
    select
        json_extract_string(
            raw_json,
            [
                '$.data.type',
                '$.data.message.type',
                '$.data.message.message.id',
                '$.data.message.requestId',
                '$.data.message.message.usage.input_tokens',
                '$.data.message.message.usage.output_tokens',
                '$.data.message.message.usage.cache_creation_input_tokens',
                '$.data.message.message.usage.cache_read_input_tokens'
            ]
        ) as echo
    from raw.conversations
    where entry_type = 'progress'
),

copies as (
    select
        message_id as copy_message_id,
        request_id as copy_request_id,
        input_tokens as input_count,
        output_tokens as output_count,
        cache_creation_input_tokens as write_count,
        cache_read_input_tokens as read_count,
        coalesce(is_sidechain, false) as sidechain
    from raw.conversations
    where entry_type = 'assistant' and message_id is not null
    union all
    select
        echo[3] as copy_message_id,
        echo[4] as copy_request_id,
        try_cast(echo[5] as bigint) as input_count,
        try_cast(echo[6] as bigint) as output_count,
        try_cast(echo[7] as bigint) as write_count,
        try_cast(echo[8] as bigint) as read_count,
        true as sidechain
    from echoes
    where echo[1] = 'agent_progress' and echo[2] = 'assistant' and echo[3] is not null
),

counted as (
    select
        copy_message_id || ':' || coalesce(copy_request_id, '') as response_key,
        [
            coalesce(input_count, 0),
            coalesce(output_count, 0),
            coalesce(write_count, 0),
            coalesce(read_count, 0)
        ] as counts,
        coalesce(input_count, 0) + coalesce(output_count, 0)
        + coalesce(write_count, 0) + coalesce(read_count, 0) as total,
        sidechain
    from copies
),

responses as (
    select
        response_key,
        arg_max(counts, (total, not sidechain)) as counts
    from counted
    group by response_key
)

select
    count(*) as responses,
    coalesce(sum(counts[1]), 0) as input_tokens,
    coalesce(sum(counts[2]), 0) as output_tokens,
    coalesce(sum(counts[3]), 0) as cache_creation_input_tokens,
    coalesce(sum(counts[4]), 0) as cache_read_input_tokens
from responses
