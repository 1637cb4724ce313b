"""Turn raw source lines into typed raw rows and dead letters, in DuckDB.

Every source (JSONL, sample, MongoDB) goes through this one function, so a given entry
becomes the same row whatever it came from. The parsing is set-based SQL over an Arrow
batch — DuckDB's JSON functions parse each entry once — instead of a Python loop per row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from claude_analytics.core.contracts import (
    DEAD_LETTER_SCHEMA,
    ENTRY_SCHEMA,
    FAULT_FIELD,
    IDENTITY_FIELDS,
    DateWindow,
)
from claude_analytics.core.ingest import json_strings, redaction
from claude_analytics.core.timestamps import instant_sql, utc_connection

# Dead-letter payloads are capped: a 10 MB tool output must not bloat the lake twice.
RAW_TEXT_LIMIT = 65_536

# Rows per Arrow record batch handed to DuckDB, which gives each thread one at a time.
SCAN_CHUNK_ROWS = 4096

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


def _lines_sql() -> str:
    """SQL that classifies and types every line of the batch, keeping everything but its text.

    The text is the biggest column by far, and every temp table that held a copy of it cost
    a full copy of the batch (time and memory): the text is read from the Arrow batch (plus
    the few redacted lines) through the `texts` view by the queries that return it.
    JSON is parsed twice per line: `json_valid`, then one `json_extract` of every field.
    """
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
        create temp table lines as
        with redacted as (
            select
                b.* exclude (line),
                try(decode(b.line)) is null as bad_utf8,
                {_TEXT_SQL} as text
            from batch as b
            left join rewritten as s using (line_index)
        ),
        classified as (
            select
                * exclude (fault),
                case
                    when fault is not null then fault
                    when bad_utf8 then 'invalid_utf8'
                    when not json_valid(text) then 'invalid_json'
                    -- a valid JSON text that starts with a brace is an object: no second parse
                    when not starts_with(text, '{{') and json_type(text) <> 'OBJECT'
                        then 'not_an_object'
                end as parse_problem
            from redacted
        ),
        objects as (
            select *, case when parse_problem is null then json_extract(text, [{paths}]) end as v
            from classified
        ),
        checked as (
            select *, concat_ws(', ', {", ".join(problems)}) as type_problem
            from objects
        ),
        valued as (
            select
                * exclude (v, type_problem),
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
        stamped as (
            -- parsing a timestamp costs more than extracting it: once per line
            select *, {instant_sql("timestamp_text")} as parsed_timestamp
            from required
        )
        select
            * exclude (text, problem, missing),
            -- only lines that parsed as objects can have a field problem
            case when parse_problem is null then coalesce(
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
            ) end as final_problem
        from stamped
    """


# A line's text: rewritten if it was (a secret redacted, a lone surrogate replaced), else the
# line itself; invalid UTF-8 keeps an escaped copy. Recomputing it (a UTF-8 check, a join on
# the few rewritten lines) is cheaper than storing it.
_TEXT_SQL = "coalesce(s.text, try(decode(b.line)), b.line::varchar)"
_TEXTS_VIEW_SQL = f"""
    create temp view texts as
    select b.line_index, {_TEXT_SQL} as text
    from batch as b
    left join rewritten as s using (line_index)
"""
REWRITTEN_SCHEMA = pa.schema([pa.field("line_index", pa.int64()), pa.field("text", pa.string())])
HITS_SCHEMA = pa.schema(
    [
        pa.field("line_index", pa.int64()),
        pa.field("kind", pa.string()),
        pa.field("hits", pa.int64()),
    ]
)


def _rewrite_candidates_sql(redact: bool) -> str:
    """The lines that may need rewriting, with the redaction rules that may match each.

    DuckDB selects them over the whole batch (RE2, in parallel); Python then rewrites only
    these, most batches holding none or a few.
    """
    surrogate = json_strings.LONE_SURROGATE_SQL.format(c="text") + " and not json_valid(text)"
    candidates = redaction.candidate_sql("rough") if redact else "false"
    mask = redaction.rule_mask_sql("rough") if redact else "null::boolean[]"
    return f"""
        with decoded as (
            select line_index, coalesce(try(decode(line)), line::varchar) as text
            from batch
            where line is not null
        ),
        rough as (
            select line_index, text, {redaction.roughly_decoded_sql("text")} as rough
            from decoded
        )
        select line_index, text, {mask} as mask, {surrogate} as lone_surrogate
        from rough
        where {candidates} or ({surrogate})
    """


def _rewrite(con: duckdb.DuckDBPyConnection, redact: bool) -> pa.Table:
    """Register `rewritten` (the lines whose text changes) and `secret_hits` (per line and
    rule); returns `rewritten`.

    Redaction runs before anything is kept, so no secret reaches the lake, dead letters
    included. A lone surrogate escape is valid JSON to JavaScript (so to Claude Code) but
    not to DuckDB: it becomes U+FFFD, as Node writes it.
    """
    rewritten: dict[str, list] = {"line_index": [], "text": []}
    hits: dict[str, list] = {"line_index": [], "kind": [], "hits": []}
    for line_index, original, mask, lone_surrogate in con.execute(
        _rewrite_candidates_sql(redact)
    ).fetchall():
        text = json_strings.replace_lone_surrogates(original) if lone_surrogate else original
        found: Counter[str] = Counter()
        if redact and any(mask):
            text, found = redaction.redact_json_text(text, mask)
        for kind, n in found.items():
            hits["line_index"].append(line_index)
            hits["kind"].append(kind)
            hits["hits"].append(n)
        if text != original:
            rewritten["line_index"].append(line_index)
            rewritten["text"].append(text)
    table = pa.table(rewritten, schema=REWRITTEN_SCHEMA)
    con.register("rewritten", table)
    con.register("secret_hits", pa.table(hits, schema=HITS_SCHEMA))
    return table


# Every line's event time: its own, else (sources that allow it) its file's first, else its
# ingestion time. An aggregate joined back: a window over the file would sort every line;
# a view, because copying every line's columns into another table cost more than the join.
_FILE_TIMES_SQL = """
    create temp table file_times as
    select source_file, min(parsed_timestamp) as first_time
    from lines
    group by source_file
"""
_TIMED_VIEW_SQL = """
    create temp view timed as
    select
        l.*,
        coalesce(
            l.parsed_timestamp,
            case when {inherit} then f.first_time end,
            l.ingested_at
        ) as event_time
    from lines as l
    left join file_times as f using (source_file)
"""

# Dead letters: lines that never parsed (dated by their file, else by ingestion), entries
# with bad fields, and entries dated outside every partition (no run could ever load them).
_LETTERS_SQL = """
    create temp table letters as
    with all_letters as (
        select
            line_index, entry_id, source_file, line_number, project_id, ingested_at,
            coalesce(parse_problem, final_problem) as reason, event_time
        from timed
        where parse_problem is not null or final_problem is not null
        union all
        select
            line_index, entry_id, source_file, line_number, project_id, ingested_at,
            'outside_partitions' as reason, event_time
        from timed
        where parse_problem is null and final_problem is null
            and not ((event_time at time zone 'UTC')::date between $first and $last - 1)
    )
    select
        a.*,
        t.text as raw_text,
        -- clamp into the edge partitions so every dead letter belongs to a partition
        greatest(least((a.event_time at time zone 'UTC')::date, $last - 1), $first) as event_date
    from all_letters as a
    join texts as t using (line_index)
"""

# The entries without their text (raw_json), which `_with_raw_json` adds in Arrow.
_ENTRIES_SQL = """
    with dated as (
        select *, (event_time at time zone 'UTC')::date as event_date
        from timed
        where parse_problem is null and final_problem is null
    )
    select
        d.entry_id, d.source_file, d.line_number, d.project_id, d.entry_type, d.uuid,
        d.parent_uuid, d.session_id, d.parsed_timestamp as timestamp, d.event_time,
        d.event_date, d.is_sidechain, d.user_type, d.cwd, d.git_branch, d.version,
        d.request_id, d.message_id, d.message_role, d.model, d.stop_reason, d.input_tokens,
        d.output_tokens, d.cache_creation_input_tokens, d.cache_read_input_tokens,
        d.is_api_error_message, d.ingested_at, d.user_id, d.hostname, d.line_index
    from dated as d
    where d.event_date >= $start and d.event_date < $end
        and d.event_date >= $first and d.event_date < $last
    order by d.source_file, d.line_number, d.entry_id
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
        from timed
        where parse_problem is null and final_problem is null
            and (event_time at time zone 'UTC')::date between $first and $last - 1
    ),
    ended as (
        select line_index, event_date from kept
        union all
        select line_index, event_date from letters
    )
    select line_index, count(*) as endings, any_value(event_date) as event_date
    from ended
    group by line_index
"""
# Grouped by (day, endings) in one pass; the few groups are split into the tallies in Python.
_TALLY_SQL = """
    select o.event_date, coalesce(o.endings, 0) as endings, count(*) as lines
    from lines as l
    left join outcomes as o using (line_index)
    group by all
"""
_REDACTIONS_SQL = """
    select h.kind, sum(h.hits)
    from secret_hits as h
    join outcomes as o using (line_index)
    where o.event_date >= $start and o.event_date < $end
    group by h.kind
"""


def _accounting(
    con: duckdb.DuckDBPyConnection, window: DateWindow, partition_start: date, partition_end: date
) -> tuple[dict[date, int], int, dict[str, int]]:
    by_day: dict[date, int] = {}
    unaccounted = 0
    con.execute(_OUTCOMES_SQL, {"first": partition_start, "last": partition_end})
    for day, endings, lines in con.execute(_TALLY_SQL).fetchall():
        in_window = day is not None and window.start <= day < window.end
        if endings != 1:
            unaccounted += lines
        elif in_window:
            by_day[day] = by_day.get(day, 0) + lines
    redacted = dict(
        con.execute(_REDACTIONS_SQL, {"start": window.start, "end": window.end}).fetchall()
    )
    return by_day, unaccounted, {kind: int(n) for kind, n in redacted.items()}


def _with_raw_json(found: pa.Table, lines: pa.ChunkedArray, rewritten: pa.Table) -> pa.Table:
    """The entries with their text, taken from the batch's lines in Arrow.

    An entry's line is valid UTF-8 (other lines are dead letters), so its text is its bytes
    unless it was rewritten. Joining, sorting and converting the text in DuckDB copied it
    three times and held the copies at once; here it is copied once, in the entries' order.
    """
    line_index = found.column("line_index").combine_chunks()
    source = lines.combine_chunks()  # no copy when the batch is one chunk (JSONL)
    text = source.view(pa.large_string() if pa.types.is_large_binary(source.type) else pa.string())
    raw_json = text.take(pc.subtract(line_index, 1))
    changed_lines = rewritten.column("line_index").combine_chunks()
    mask = pc.is_in(line_index, value_set=changed_lines)
    if pc.any(mask).as_py():
        where = pc.index_in(line_index.filter(mask), value_set=changed_lines)
        replacements = rewritten.column("text").combine_chunks().take(where)
        raw_json = pc.replace_with_mask(raw_json, mask, replacements.cast(raw_json.type))
    return found.drop_columns(["line_index"]).append_column("raw_json", raw_json)


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
    # Every result is ordered explicitly and every temp table is keyed by line_index, so
    # DuckDB need not keep insertion order (it made each copy slower).
    con = utc_connection({"preserve_insertion_order": False})
    try:
        for optional in (FAULT_FIELD, *IDENTITY_FIELDS):
            if optional.name not in batch.schema.names:
                batch = batch.append_column(optional, pa.nulls(batch.num_rows, optional.type))
        # Numbered in Arrow, in batch order: the joins back to the text rely on the index.
        numbered = batch.append_column(
            "line_index", pa.array(np.arange(1, batch.num_rows + 1, dtype=np.int64))
        )
        # DuckDB scans an Arrow table one record batch per thread: a batch read as one
        # chunk was parsed on a single core. Slicing is zero-copy.
        con.register(
            "batch", pa.Table.from_batches(numbered.to_batches(max_chunksize=SCAN_CHUNK_ROWS))
        )
        rewritten = _rewrite(con, redact)
        con.execute(_TEXTS_VIEW_SQL)
        con.execute(_lines_sql())
        con.execute(_FILE_TIMES_SQL)
        con.execute(_TIMED_VIEW_SQL.format(inherit="true" if inherit_file_time else "false"))
        con.execute(_LETTERS_SQL, {"first": partition_start, "last": partition_end})
        bounds = {"start": window.start, "end": window.end}
        found = con.execute(
            _ENTRIES_SQL, {**bounds, "first": partition_start, "last": partition_end}
        ).to_arrow_table()
        entries = _with_raw_json(found, batch.column("line"), rewritten)
        dead_letters = con.execute(_DEAD_LETTERS_SQL, {**bounds, "run_id": run_id}).to_arrow_table()
        lines_by_day, unaccounted, redactions = _accounting(
            con, window, partition_start, partition_end
        )
    finally:
        con.close()
    return ParsedBatch(
        entries=entries.select(ENTRY_SCHEMA.names).cast(ENTRY_SCHEMA),
        dead_letters=dead_letters.cast(DEAD_LETTER_SCHEMA),
        lines_by_day=lines_by_day,
        unaccounted_lines=unaccounted,
        redactions=redactions,
    )
