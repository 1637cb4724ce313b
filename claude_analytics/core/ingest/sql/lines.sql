-- Classifies and types every line of the batch, keeping everything but its text.
-- The text is the biggest column by far, and every temp table that held a copy of it cost
-- a full copy of the batch (time and memory): the text is read from the Arrow batch (plus
-- the few redacted lines) through the `texts` view by the queries that return it.
-- JSON is parsed twice per line: `json_valid`, then one `json_extract` of every field.
create temp table lines as
with redacted as (
    select
        b.* exclude (b.line),
        try(decode(b.line)) is null as bad_utf8,
        stored_text(s.text, b.line) as line_text
    from batch as b
    left join rewritten as s using (line_index)
),

classified as (
    select
        * exclude (fault),
        case
            when fault is not null then fault
            when bad_utf8 then 'invalid_utf8'
            when not json_valid(line_text) then 'invalid_json'
            -- a valid JSON text that starts with a brace is an object: no second parse
            when not starts_with(line_text, '{') and json_type(line_text) <> 'OBJECT'
                then 'not_an_object'
        end as parse_problem
    from redacted
),

-- Every typed field as a JSON fragment, v[1] to v[20] in the order of this list; the
-- type checks (checked) and the values (valued) below follow the same order.
objects as (
    select
        *,
        case
            when parse_problem is null
                then json_extract(
                    line_text,
                    [
                        '$.type',
                        '$.uuid',
                        '$.parentUuid',
                        '$.sessionId',
                        '$.timestamp',
                        '$.isSidechain',
                        '$.userType',
                        '$.cwd',
                        '$.gitBranch',
                        '$.version',
                        '$.requestId',
                        '$.message.id',
                        '$.message.role',
                        '$.message.model',
                        '$.message.stop_reason',
                        '$.message.usage.input_tokens',
                        '$.message.usage.output_tokens',
                        '$.message.usage.cache_creation_input_tokens',
                        '$.message.usage.cache_read_input_tokens',
                        '$.isApiErrorMessage'
                    ]
                )
        end as v
    from classified
),

checked as (
    select
        *,
        concat_ws(
            ', ',
            not_a_string(v[1], 'type'),
            not_a_string(v[2], 'uuid'),
            not_a_string(v[3], 'parentUuid'),
            not_a_string(v[4], 'sessionId'),
            not_a_string(v[5], 'timestamp'),
            not_a_boolean(v[6], 'isSidechain'),
            not_a_string(v[7], 'userType'),
            not_a_string(v[8], 'cwd'),
            not_a_string(v[9], 'gitBranch'),
            not_a_string(v[10], 'version'),
            not_a_string(v[11], 'requestId'),
            not_a_string(v[12], 'message.id'),
            not_a_string(v[13], 'message.role'),
            not_a_string(v[14], 'message.model'),
            not_a_string(v[15], 'message.stop_reason'),
            not_an_integer(v[16], 'message.usage.input_tokens'),
            not_an_integer(v[17], 'message.usage.output_tokens'),
            not_an_integer(v[18], 'message.usage.cache_creation_input_tokens'),
            not_an_integer(v[19], 'message.usage.cache_read_input_tokens'),
            not_a_boolean(v[20], 'isApiErrorMessage')
        ) as type_problem
    from objects
),

valued as (
    select
        * exclude (v, type_problem),
        case when type_problem <> '' then 'wrong_type: ' || type_problem end as problem,
        string_field(v[1]) as entry_type,
        string_field(v[2]) as uuid,
        string_field(v[3]) as parent_uuid,
        string_field(v[4]) as session_id,
        string_field(v[5]) as timestamp_text,
        boolean_field(v[6]) as is_sidechain,
        string_field(v[7]) as user_type,
        string_field(v[8]) as cwd,
        string_field(v[9]) as git_branch,
        string_field(v[10]) as version,
        string_field(v[11]) as request_id,
        string_field(v[12]) as message_id,
        string_field(v[13]) as message_role,
        string_field(v[14]) as model,
        string_field(v[15]) as stop_reason,
        integer_field(v[16]) as input_tokens,
        integer_field(v[17]) as output_tokens,
        integer_field(v[18]) as cache_creation_input_tokens,
        integer_field(v[19]) as cache_read_input_tokens,
        boolean_field(v[20]) as is_api_error_message
    from checked
),

-- Conversation turns (parse.TURN_TYPES): without a session, a time or a message they cannot
-- be placed or counted, so they are dead letters. Other types (summary,
-- file-history-snapshot, ...) legitimately lack these fields and are kept.
required as (
    select
        *,
        -- json_type of the whole message runs only for turns lacking message.role
        case
            when entry_type is null and problem is null then 'missing_field: type'
            when
                entry_type in ('user', 'assistant')
                and message_role is null
                and coalesce(json_type(line_text, '$.message'), 'NULL') not in ('NULL', 'OBJECT')
                then 'wrong_type: message'
            when entry_type in ('user', 'assistant')
                then nullif(
                    concat_ws(
                        ', ',
                        case when session_id is null then 'sessionId' end,
                        case when timestamp_text is null then 'timestamp' end,
                        case
                            when
                                message_role is null
                                and coalesce(json_type(line_text, '$.message'), 'NULL') = 'NULL'
                                then 'message'
                        end
                    ),
                    ''
                )
        end as missing
    from valued
),

-- parsing a timestamp costs more than extracting it: once per line
stamped as (
    select
        *,
        instant(timestamp_text) as parsed_timestamp
    from required
)

select
    * exclude (line_text, problem, missing),
    -- only lines that parsed as objects can have a field problem
    case
        when parse_problem is null
            then coalesce(
                problem,
                case
                    when missing like 'wrong_type:%' or missing like 'missing_field:%'
                        then missing
                    when missing is not null then 'missing_field: ' || missing
                end,
                case
                    when timestamp_text is not null and parsed_timestamp is null
                        then 'unparseable_timestamp'
                end
            )
    end as final_problem
from stamped
