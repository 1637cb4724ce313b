"""The parsing SQL files and their macros: the typed fields of lines.sql, its turn types and
the SQL completed from Python (timestamps, redaction) agree with what Python expects."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa
import pytest

from claude_analytics.core.contracts import RAW_LINE_SCHEMA, DateWindow
from claude_analytics.core.ingest import redaction
from claude_analytics.core.ingest.drift import KNOWN_ENTRY_TYPES
from claude_analytics.core.ingest.parse import TURN_TYPES, ParsedBatch, parse_batch
from claude_analytics.core.sql_files import read_sql
from claude_analytics.core.timestamps import utc_connection

# What lines.sql extracts, written out independently: (column, JSON path, kind), in the
# order its `wrong_type` reasons list them.
TYPED_FIELDS = (
    ("entry_type", "type", "string"),
    ("uuid", "uuid", "string"),
    ("parent_uuid", "parentUuid", "string"),
    ("session_id", "sessionId", "string"),
    ("timestamp", "timestamp", "timestamp"),
    ("is_sidechain", "isSidechain", "boolean"),
    ("user_type", "userType", "string"),
    ("cwd", "cwd", "string"),
    ("git_branch", "gitBranch", "string"),
    ("version", "version", "string"),
    ("request_id", "requestId", "string"),
    ("message_id", "message.id", "string"),
    ("message_role", "message.role", "string"),
    ("model", "message.model", "string"),
    ("stop_reason", "message.stop_reason", "string"),
    ("input_tokens", "message.usage.input_tokens", "integer"),
    ("output_tokens", "message.usage.output_tokens", "integer"),
    ("cache_creation_input_tokens", "message.usage.cache_creation_input_tokens", "integer"),
    ("cache_read_input_tokens", "message.usage.cache_read_input_tokens", "integer"),
    ("is_api_error_message", "isApiErrorMessage", "boolean"),
)
WRONG = {"string": 42, "timestamp": 42, "boolean": "yes", "integer": 1.5}
STAMP = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
BASE = {
    "type": "assistant",
    "sessionId": "s-1",
    "timestamp": "2026-11-02T10:00:00Z",
    "message": {"role": "assistant", "usage": {}},
}


def _good(column: str, kind: str) -> object:
    """A value of the field's kind that no other field holds (a string with escapes)."""
    return {
        "string": f'{column} "quoted" \\ é',
        "timestamp": "2026-11-02t10:00:00z",
        "boolean": True,
        "integer": -len(column),
    }[kind]


def _with(path: str, value: object, entry: dict | None = None) -> dict:
    entry = copy.deepcopy(BASE) if entry is None else entry
    *parents, name = path.split(".")
    node = entry
    for parent in parents:
        node = node.setdefault(parent, {})
    node[name] = value
    return entry


def _parse(entries: list[dict]) -> ParsedBatch:
    n = len(entries)
    batch = pa.Table.from_pydict(
        {
            "entry_id": [f"e{i:03d}" for i in range(n)],
            "source_file": ["p/s.jsonl"] * n,
            "line_number": list(range(1, n + 1)),
            "project_id": ["p"] * n,
            "line": [json.dumps(entry).encode() for entry in entries],
            "ingested_at": [STAMP] * n,
        },
        schema=RAW_LINE_SCHEMA,
    )
    return parse_batch(
        batch,
        DateWindow(date(2026, 11, 1), date(2026, 11, 8)),
        inherit_file_time=True,
        run_id="run-1",
        partition_start=date(2025, 1, 1),
        partition_end=date(2026, 12, 1),
    )


def test_each_typed_field_is_read_from_its_path_and_checked_for_its_kind() -> None:
    good = [_with(path, _good(column, kind)) for column, path, kind in TYPED_FIELDS]
    wrong = [_with(path, WRONG[kind]) for _, path, kind in TYPED_FIELDS]
    all_wrong = copy.deepcopy(BASE)
    for _, path, kind in TYPED_FIELDS:
        _with(path, WRONG[kind], all_wrong)
    parsed = _parse([*good, *wrong, all_wrong])

    entries = parsed.entries.to_pylist()
    assert len(entries) == len(TYPED_FIELDS)
    for (column, _, kind), row in zip(TYPED_FIELDS, entries, strict=True):
        expected = STAMP if kind == "timestamp" else _good(column, kind)
        assert row[column] == expected, column
    reasons = [row["reason"] for row in parsed.dead_letters.to_pylist()]
    paths = [path for _, path, _ in TYPED_FIELDS]
    assert reasons == [f"wrong_type: {path}" for path in paths] + [
        "wrong_type: " + ", ".join(paths)
    ]


def test_only_turn_types_need_a_session_a_time_and_a_message() -> None:
    types = sorted({*KNOWN_ENTRY_TYPES, *TURN_TYPES, "agent-telemetry"})
    parsed = _parse([{"type": kind, "uuid": kind} for kind in types])
    letters = {
        json.loads(row["raw_text"])["type"]: row["reason"]
        for row in parsed.dead_letters.to_pylist()
    }
    assert letters == dict.fromkeys(TURN_TYPES, "missing_field: sessionId, timestamp, message")


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-11-02T10:00:00Z", STAMP),
        ("2026-11-02t10:00:00z", STAMP),
        ("2026-11-02 10:00:00", STAMP),
        ("2026-11-02T12:00:00+02:00", STAMP),
        ("yesterday-ish", None),
    ],
)
def test_instant_reads_rfc_3339_and_zoneless_text_as_utc(text: str, instant) -> None:
    with utc_connection() as con:
        assert con.execute("select instant($text)", {"text": text}).fetchone() == (instant,)


def test_the_redaction_filter_follows_the_rules_or_selects_nothing() -> None:
    query = (
        "with rough as (select roughly_decoded($text) as rough)"
        " select may_hold_secret(rough), secret_rule_mask(rough) from rough"
    )
    key = "key sk-ant-" + "a1" * 20
    with duckdb.connect() as con:
        con.execute(read_sql("claude_analytics.core.ingest", "macros"))
        may_hold, mask = con.execute(
            redaction.with_secret_filter(query, enabled=True), {"text": key}
        ).fetchone()
        assert may_hold and len(mask) == len(redaction.rules())
        assert any(mask[i] for i, rule in enumerate(redaction.rules()) if rule.kind == "api_key")
        off = redaction.with_secret_filter(query, enabled=False)
        assert con.execute(off, {"text": key}).fetchone() == (False, None)


def test_roughly_decoded_decodes_the_escapes_redaction_rules_look_across() -> None:
    with duckdb.connect() as con:
        con.execute(read_sql("claude_analytics.core.ingest", "macros"))
        stored = r"a\nb\tc\rd\"e\/f\\g"
        (decoded,) = con.execute("select roughly_decoded($text)", {"text": stored}).fetchone()
    assert decoded == 'a\nb\tc\rd"e/f\\\\g'
