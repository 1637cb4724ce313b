"""Turn raw source lines into typed raw rows and dead letters, in DuckDB.

Every source (JSONL, sample, MongoDB) goes through this one function, so a given entry
becomes the same row whatever it came from. The parsing is set-based SQL over an Arrow
batch — DuckDB's JSON functions parse each entry once — instead of a Python loop per row.

The steps are the files of `sql/`, run in the order of `parse_batch` on one connection;
the expressions they share are temp macros (`sql/macros.sql`), which DuckDB inlines where
they are called, so the SQL reads as named steps and runs as before. The redaction
filter's calls are expanded in Python (`redaction.with_secret_filter`).
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
from claude_analytics.core.sql_files import read_sql
from claude_analytics.core.timestamps import utc_connection

# Dead-letter payloads are capped: a 10 MB tool output must not bloat the lake twice.
RAW_TEXT_LIMIT = 65_536

# Rows per Arrow record batch handed to DuckDB, which gives each thread one at a time.
SCAN_CHUNK_ROWS = 4096

# Conversation turns: without a session, a time or a message they cannot be placed or
# counted, so they are dead letters. Other types (summary, file-history-snapshot, ...)
# legitimately lack these fields and are kept. lines.sql spells the same list as a literal
# (a test holds the two together); the batch contract checks the kept entries against it.
TURN_TYPES = ("user", "assistant")


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


def _sql(name: str) -> str:
    return read_sql(__package__, name)


REWRITTEN_SCHEMA = pa.schema([pa.field("line_index", pa.int64()), pa.field("text", pa.string())])
HITS_SCHEMA = pa.schema(
    [
        pa.field("line_index", pa.int64()),
        pa.field("kind", pa.string()),
        pa.field("hits", pa.int64()),
    ]
)


def _rewrite(con: duckdb.DuckDBPyConnection, redact: bool) -> pa.Table:
    """Register `rewritten` (the lines whose text changes) and `secret_hits` (per line and
    rule); returns `rewritten`.

    Redaction runs before anything is kept, so no secret reaches the lake, dead letters
    included. A lone surrogate escape is valid JSON to JavaScript (so to Claude Code) but
    not to DuckDB: it becomes U+FFFD, as Node writes it.
    """
    rewritten: dict[str, list] = {"line_index": [], "text": []}
    hits: dict[str, list] = {"line_index": [], "kind": [], "hits": []}
    query = redaction.with_secret_filter(_sql("rewrite_candidates"), enabled=redact)
    candidates = con.execute(query).fetchall()
    for line_index, original, mask, lone_surrogate in candidates:
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


def _accounting(
    con: duckdb.DuckDBPyConnection, window: DateWindow, partition_start: date, partition_end: date
) -> tuple[dict[date, int], int, dict[str, int]]:
    by_day: dict[date, int] = {}
    unaccounted = 0
    con.execute(
        _sql("outcomes"), {"partition_start": partition_start, "partition_end": partition_end}
    )
    for day, endings, lines in con.execute(_sql("tally")).fetchall():
        in_window = day is not None and window.start <= day < window.end
        if endings != 1:
            unaccounted += lines
        elif in_window:
            by_day[day] = by_day.get(day, 0) + lines
    bounds = {"window_start": window.start, "window_end": window.end}
    redacted = dict(con.execute(_sql("redactions"), bounds).fetchall())
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
        con.execute(_sql("macros"))
        rewritten = _rewrite(con, redact)
        con.execute(_sql("texts_view"))
        con.execute(_sql("lines"))
        con.execute(_sql("file_times"), {"inherit_file_time": inherit_file_time})
        con.execute(_sql("timed_view"))
        partitions = {"partition_start": partition_start, "partition_end": partition_end}
        con.execute(_sql("letters"), partitions)
        bounds = {"window_start": window.start, "window_end": window.end}
        found = con.execute(_sql("entries"), {**bounds, **partitions}).to_arrow_table()
        entries = _with_raw_json(found, batch.column("line"), rewritten)
        dead_letters = con.execute(
            _sql("dead_letters"), {**bounds, "raw_text_limit": RAW_TEXT_LIMIT, "run_id": run_id}
        ).to_arrow_table()
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
