"""Turn raw source lines into typed raw rows and dead letters, in DuckDB.

Every source (JSONL, sample, MongoDB) goes through this one function, so a given entry
becomes the same row whatever it came from. The parsing is set-based SQL over an Arrow
batch — DuckDB's JSON functions parse each entry once — instead of a Python loop per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa

from claude_analytics.lib import redaction
from claude_analytics.lib.sources.base import DateWindow

# Dead-letter payloads are capped: a 10 MB tool output must not bloat the lake twice.
RAW_TEXT_LIMIT = 65_536

# Conversation turns: without a session, a time or a message they cannot be placed or
# counted, so they are dead letters. Other types (summary, file-history-snapshot, ...)
# legitimately lack these fields and are kept.
TURN_TYPES = ("user", "assistant")

# (column, JSON path, expected kind). The order is the order of the extracted list.
TYPED_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("entry_type", "$.type", "string"),
    ("uuid", "$.uuid", "string"),
    ("parent_uuid", "$.parentUuid", "string"),
    ("session_id", "$.sessionId", "string"),
    ("timestamp_text", "$.timestamp", "string"),
    ("is_sidechain", "$.isSidechain", "boolean"),
    ("user_type", "$.userType", "string"),
    ("cwd", "$.cwd", "string"),
    ("git_branch", "$.gitBranch", "string"),
    ("version", "$.version", "string"),
    ("request_id", "$.requestId", "string"),
    ("message_id", "$.message.id", "string"),
    ("message_role", "$.message.role", "string"),
    ("model", "$.message.model", "string"),
    ("stop_reason", "$.message.stop_reason", "string"),
    ("input_tokens", "$.message.usage.input_tokens", "integer"),
    ("output_tokens", "$.message.usage.output_tokens", "integer"),
    ("cache_creation_input_tokens", "$.message.usage.cache_creation_input_tokens", "integer"),
    ("cache_read_input_tokens", "$.message.usage.cache_read_input_tokens", "integer"),
    ("is_api_error_message", "$.isApiErrorMessage", "boolean"),
)

# json_extract writes each field as minified JSON, so the first characters of a fragment
# tell its JSON type; parsing every fragment again (json_type, json_extract_string) cost
# more than parsing the whole line. SQL conditions on a non-null fragment `{f}`:
_FRAGMENT_OF_KIND = {
    "string": "starts_with({f}, '\"')",
    "boolean": "{f} in ('true', 'false')",
    "integer": "regexp_full_match({f}, '-?[0-9]+')",
}
# A string fragment without escapes is its value between the quotes.
_FRAGMENT_VALUE = {
    "string": (
        "case when contains({f}, '\\') then json_extract_string({f}, '$') else {f}[2:-2] end"
    ),
    "boolean": "{f} = 'true'",
    "integer": "try_cast({f} as bigint)",
}

ENTRY_SCHEMA = pa.schema(
    [
        pa.field("entry_id", pa.string(), nullable=False),
        pa.field("source_file", pa.string()),
        pa.field("line_number", pa.int64()),
        pa.field("project_id", pa.string()),
        pa.field("entry_type", pa.string()),
        pa.field("uuid", pa.string()),
        pa.field("parent_uuid", pa.string()),
        pa.field("session_id", pa.string()),
        pa.field("timestamp", pa.timestamp("us", tz="UTC")),
        pa.field("event_time", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("is_sidechain", pa.bool_()),
        pa.field("user_type", pa.string()),
        pa.field("cwd", pa.string()),
        pa.field("git_branch", pa.string()),
        pa.field("version", pa.string()),
        pa.field("request_id", pa.string()),
        pa.field("message_id", pa.string()),
        pa.field("message_role", pa.string()),
        pa.field("model", pa.string()),
        pa.field("stop_reason", pa.string()),
        pa.field("input_tokens", pa.int64()),
        pa.field("output_tokens", pa.int64()),
        pa.field("cache_creation_input_tokens", pa.int64()),
        pa.field("cache_read_input_tokens", pa.int64()),
        pa.field("is_api_error_message", pa.bool_()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
        pa.field("raw_json", pa.string(), nullable=False),
    ]
)

DEAD_LETTER_SCHEMA = pa.schema(
    [
        pa.field("entry_id", pa.string(), nullable=False),
        pa.field("source_file", pa.string()),
        pa.field("line_number", pa.int64()),
        pa.field("project_id", pa.string()),
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("raw_text", pa.string()),
        pa.field("raw_text_length", pa.int64()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
        pa.field("run_id", pa.string()),
    ]
)


@dataclass(frozen=True)
class ParsedBatch:
    """The window's entries and dead letters, plus the accounting the checks need.

    `lines_by_day` counts source lines per event day of the window *before* they are split
    into entries and dead letters; `unaccounted_lines` counts lines of the batch that ended
    in neither or in both (a parsing bug): parity checks compare both against the lake.
    """

    entries: pa.Table
    dead_letters: pa.Table
    lines_by_day: dict[date, int]
    unaccounted_lines: int
    redactions: dict[str, int]


def _extraction_sql() -> str:
    """SQL that types every object line; `v` holds the extracted fields, parsed once."""
    paths = ", ".join(f"'{path}'" for _, path, _ in TYPED_FIELDS)
    values = []
    problems = []
    for index, (column, path, kind) in enumerate(TYPED_FIELDS, start=1):
        item = f"v[{index}]"
        value = _FRAGMENT_VALUE[kind].format(f=item)
        of_kind = _FRAGMENT_OF_KIND[kind].format(f=item)
        values.append(f"case when {item} = 'null' then null else {value} end as {column}")
        problems.append(f"case when {item} <> 'null' and not ({of_kind}) then '{path[2:]}' end")
    return f"""
        with objects as (
            select *, json_extract(text, [{paths}]) as v
            from lines
            where parse_problem is null
        ),
        checked as (
            select *, concat_ws(', ', {", ".join(problems)}) as type_problem
            from objects
        ),
        valued as (
            select
                line_index, entry_id, source_file, line_number, project_id, ingested_at, text,
                case when type_problem <> '' then 'wrong_type: ' || type_problem end as problem,
                {", ".join(values)}
            from checked
        ),
        required as (
            select
                *,
                -- json_type of the whole message runs only for turns lacking message.role
                case
                    when entry_type is null and problem is null then 'missing_field: type'
                    when entry_type in {TURN_TYPES} and message_role is null
                        and coalesce(json_type(text, '$.message'), 'NULL') not in ('NULL', 'OBJECT')
                        then 'wrong_type: message'
                    when entry_type in {TURN_TYPES} then nullif(concat_ws(', ',
                        case when session_id is null then 'sessionId' end,
                        case when timestamp_text is null then 'timestamp' end,
                        case
                            when message_role is null
                                and coalesce(json_type(text, '$.message'), 'NULL') = 'NULL'
                                then 'message'
                        end
                    ), '')
                end as missing
            from valued
        ),
        timed as (
            select
                *,
                try_cast(timestamp_text as timestamptz) as parsed_timestamp,
                coalesce(
                    problem,
                    case
                        when missing like 'wrong_type:%' or missing like 'missing_field:%'
                            then missing
                        when missing is not null then 'missing_field: ' || missing
                    end,
                    case
                        when timestamp_text is not null
                            and try_cast(timestamp_text as timestamptz) is null
                            then 'unparseable_timestamp'
                    end
                ) as final_problem
            from required
        ),
        file_times as (
            -- an aggregate joined back: a window over the file would sort every whole line
            select source_file, min(parsed_timestamp) as first_time
            from timed
            group by source_file
        )
        select
            t.*,
            coalesce(
                t.parsed_timestamp,
                case when $inherit then f.first_time end,
                t.ingested_at
            ) as event_time
        from timed as t
        left join file_times as f using (source_file)
    """


# Numbering is materialised once: an unordered row_number() recomputed in two places
# could give a line two different indexes, and the redaction join relies on them.
_DECODED_SQL = """
    create temp table decoded as
    with numbered as (
        select *, row_number() over () as line_index, try(decode(line)) as utf8_text
        from batch
    )
    select
        * exclude (utf8_text, line),
        utf8_text is null as bad_utf8,
        coalesce(utf8_text, line::varchar) as original_text
    from numbered
"""


def _lines_sql(redact: bool) -> str:
    """Redact and classify every decoded line; invalid UTF-8 keeps an escaped copy.

    Redaction runs before anything is kept, so no secret reaches the lake, dead letters
    included. Only lines where some rule matches go through the replacement chain.
    """
    counts = ", ".join(f"coalesce(s.redact_{kind}, 0) as redact_{kind}" for kind in redaction.KINDS)
    if redact:
        items, final = redaction.redaction_columns_sql("original_text")
        secrets = f"""
            select line_index, {items}, {final} as redacted_text
            from decoded
            where {redaction.any_match_sql("original_text")}
        """
    else:
        zeros = ", ".join(f"0 as redact_{kind}" for kind in redaction.KINDS)
        secrets = f"select line_index, {zeros}, null::varchar as redacted_text from decoded limit 0"
    return f"""
        create temp table lines as
        with secrets as ({secrets}),
        redacted as (
            select
                d.* exclude (original_text),
                coalesce(s.redacted_text, d.original_text) as text,
                {counts}
            from decoded as d
            left join secrets as s using (line_index)
        )
        select
            *,
            case
                when bad_utf8 then 'invalid_utf8'
                when not json_valid(text) then 'invalid_json'
                when json_type(text) <> 'OBJECT' then 'not_an_object'
            end as parse_problem
        from redacted
    """


# Dead letters: lines that never parsed (dated by their file, else by ingestion), entries
# with bad fields, and entries dated outside every partition (no run could ever load them).
_LETTERS_SQL = """
    create temp table letters as
    with file_times as (
        select source_file, min(parsed_timestamp) as first_time
        from parsed
        group by source_file
    ),
    unparsed as (
        select
            l.line_index, l.entry_id, l.source_file, l.line_number, l.project_id, l.ingested_at,
            l.parse_problem as reason,
            l.text as raw_text,
            coalesce(case when $inherit then f.first_time end, l.ingested_at) as event_time
        from lines as l
        left join file_times as f using (source_file)
        where l.parse_problem is not null
    ),
    untyped as (
        select
            line_index, entry_id, source_file, line_number, project_id, ingested_at,
            final_problem as reason, text as raw_text, event_time
        from parsed
        where final_problem is not null
    ),
    out_of_range as (
        select
            line_index, entry_id, source_file, line_number, project_id, ingested_at,
            'outside_partitions' as reason, text as raw_text, event_time
        from parsed
        where final_problem is null
            and not ((event_time at time zone 'UTC')::date between $first and $last - 1)
    ),
    all_letters as (
        select * from unparsed
        union all
        select * from untyped
        union all
        select * from out_of_range
    )
    select
        *,
        -- clamp into the edge partitions so every dead letter belongs to a partition
        greatest(least((event_time at time zone 'UTC')::date, $last - 1), $first) as event_date
    from all_letters
"""

_ENTRIES_SQL = """
    with dated as (
        select *, (event_time at time zone 'UTC')::date as event_date
        from parsed
        where final_problem is null
    )
    select
        entry_id, source_file, line_number, project_id, entry_type, uuid, parent_uuid,
        session_id, parsed_timestamp as timestamp, event_time, event_date,
        is_sidechain, user_type, cwd, git_branch, version, request_id, message_id,
        message_role, model, stop_reason, input_tokens, output_tokens,
        cache_creation_input_tokens, cache_read_input_tokens, is_api_error_message,
        ingested_at, text as raw_json
    from dated
    where event_date >= $start and event_date < $end
        and event_date >= $first and event_date < $last
    order by source_file, line_number, entry_id
"""

_DEAD_LETTERS_SQL = f"""
    select
        entry_id, source_file, line_number, project_id, event_date, reason,
        left(raw_text, {RAW_TEXT_LIMIT}) as raw_text, length(raw_text) as raw_text_length,
        ingested_at, $run_id as run_id
    from letters
    where event_date >= $start and event_date < $end
    order by source_file, line_number, entry_id
"""

# Where every line of the batch ended: each must be exactly one entry or one dead letter.
_OUTCOMES_SQL = """
    create temp table outcomes as
    with kept as (
        select line_index, (event_time at time zone 'UTC')::date as event_date
        from parsed
        where final_problem is null
            and (event_time at time zone 'UTC')::date between $first and $last - 1
    ),
    ended as (
        select line_index, event_date from kept
        union all
        select line_index, event_date from letters
    ),
    per_line as (
        select line_index, count(*) as endings, any_value(event_date) as event_date
        from ended
        group by line_index
    )
    select l.* exclude (text), coalesce(p.endings, 0) as endings, p.event_date
    from lines as l
    left join per_line as p using (line_index)
"""


def _accounting(
    con: duckdb.DuckDBPyConnection, window: DateWindow
) -> tuple[dict[date, int], int, dict[str, int]]:
    bounds = {"start": window.start, "end": window.end}
    by_day = con.execute(
        "select event_date, count(*) from outcomes where endings = 1 "
        "and event_date >= $start and event_date < $end group by 1",
        bounds,
    ).fetchall()
    unaccounted = con.execute("select count(*) from outcomes where endings <> 1").fetchone()
    sums = ", ".join(f"coalesce(sum(redact_{kind}), 0)" for kind in redaction.KINDS)
    redacted = con.execute(
        f"select {sums} from outcomes where event_date >= $start and event_date < $end", bounds
    ).fetchone()
    return (
        {day: int(n) for day, n in by_day},
        int(unaccounted[0]) if unaccounted else 0,
        dict(zip(redaction.KINDS, (int(n) for n in redacted or ()), strict=False)),
    )


def parse_batch(
    batch: pa.Table,
    window: DateWindow,
    *,
    inherit_file_time: bool,
    run_id: str,
    partition_start: date,
    partition_end: date,
    redact: bool = True,
) -> ParsedBatch:
    """Parse one batch and keep the entries and dead letters that fall in `window`.

    `partition_end` is exclusive (the day after the last partition).
    """
    con = duckdb.connect()
    try:
        con.register("batch", batch)
        con.execute(_DECODED_SQL)
        con.execute(_lines_sql(redact))
        con.execute(
            f"create temp table parsed as {_extraction_sql()}", {"inherit": inherit_file_time}
        )
        con.execute(
            _LETTERS_SQL,
            {"inherit": inherit_file_time, "first": partition_start, "last": partition_end},
        )
        bounds = {"start": window.start, "end": window.end}
        entries = con.execute(
            _ENTRIES_SQL, {**bounds, "first": partition_start, "last": partition_end}
        ).to_arrow_table()
        dead_letters = con.execute(_DEAD_LETTERS_SQL, {**bounds, "run_id": run_id}).to_arrow_table()
        con.execute(_OUTCOMES_SQL, {"first": partition_start, "last": partition_end})
        lines_by_day, unaccounted, redactions = _accounting(con, window)
    finally:
        con.close()
    return ParsedBatch(
        entries=entries.cast(ENTRY_SCHEMA),
        dead_letters=dead_letters.cast(DEAD_LETTER_SCHEMA),
        lines_by_day=lines_by_day,
        unaccounted_lines=unaccounted,
        redactions=redactions,
    )
