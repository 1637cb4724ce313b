"""Parsing raw lines into typed rows: every entry type is kept, bad lines become dead letters."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from claude_analytics.core.contracts import RAW_LINE_SCHEMA, DateWindow
from claude_analytics.core.ingest.parse import parse_batch

WINDOW = DateWindow(date(2026, 11, 1), date(2026, 11, 8))
INGESTED = datetime(2026, 11, 7, 12, 0, tzinfo=UTC)

ASSISTANT = {
    "parentUuid": "u-1",
    "isSidechain": False,
    "userType": "external",
    "cwd": "/home/dev/src/api",
    "sessionId": "s-1",
    "version": "2.0.14",
    "gitBranch": "main",
    "type": "assistant",
    "message": {
        "id": "msg_1",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "héllo"}],
        "stop_reason": "end_turn",
        "usage": {
            "input_tokens": 10,
            "output_tokens": 20,
            "cache_creation_input_tokens": 30,
            "cache_read_input_tokens": 40,
        },
    },
    "requestId": "req_1",
    "uuid": "a-1",
    "timestamp": "2026-11-02T10:00:00.500Z",
}
ENTRIES_OF_EVERY_TYPE = [
    {
        "type": "user",
        "sessionId": "s-1",
        "uuid": "u-1",
        "timestamp": "2026-11-02T09:59:00Z",
        "message": {"role": "user", "content": "fix it"},
    },
    ASSISTANT,
    {
        "type": "system",
        "subtype": "compact_boundary",
        "sessionId": "s-1",
        "uuid": "y-1",
        "timestamp": "2026-11-03T08:00:00Z",
        "content": "Conversation compacted",
    },
    {"type": "summary", "summary": "Fix the bug", "leafUuid": "a-1"},
    {
        "type": "file-history-snapshot",
        "messageId": "m-1",
        "snapshot": {
            "messageId": "m-1",
            "trackedFileBackups": {},
            "timestamp": "2026-11-02T09:58:00Z",
        },
    },
    {
        "type": "queue-operation",
        "operation": "enqueue",
        "timestamp": "2026-11-04T01:00:00Z",
        "sessionId": "s-1",
        "brandNewField": {"nested": [1, 2]},
    },
]


def _batch(lines: list[bytes], source_file: str = "-home-dev-src-api/s-1.jsonl") -> pa.Table:
    n = len(lines)
    return pa.Table.from_pydict(
        {
            "entry_id": [f"e{i}" for i in range(n)],
            "source_file": [source_file] * n,
            "line_number": list(range(1, n + 1)),
            "project_id": ["-home-dev-src-api"] * n,
            "line": lines,
            "ingested_at": [INGESTED] * n,
        },
        schema=RAW_LINE_SCHEMA,
    )


def _parse(lines: list[bytes], window: DateWindow = WINDOW, inherit: bool = True):
    return parse_batch(
        _batch(lines),
        window,
        inherit_file_time=inherit,
        run_id="run-1",
        partition_start=date(2025, 1, 1),
        partition_end=date(2026, 11, 23),
    )


def _encode(entry: dict) -> bytes:
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()


def test_every_entry_type_is_kept_unknown_ones_included() -> None:
    parsed = _parse([_encode(e) for e in ENTRIES_OF_EVERY_TYPE])
    assert parsed.dead_letters.num_rows == 0
    rows = parsed.entries.to_pylist()
    assert [r["entry_type"] for r in rows] == [e["type"] for e in ENTRIES_OF_EVERY_TYPE]
    unknown = rows[-1]
    assert json.loads(unknown["raw_json"])["brandNewField"] == {"nested": [1, 2]}


def test_assistant_fields_are_typed_and_raw_json_is_the_line() -> None:
    line = _encode(ASSISTANT)
    row = _parse([line]).entries.to_pylist()[0]
    assert row["raw_json"].encode() == line
    assert (row["message_id"], row["request_id"], row["model"]) == (
        "msg_1",
        "req_1",
        "claude-sonnet-4-5-20250929",
    )
    assert (row["input_tokens"], row["output_tokens"]) == (10, 20)
    assert (row["cache_creation_input_tokens"], row["cache_read_input_tokens"]) == (30, 40)
    assert row["timestamp"] == datetime(2026, 11, 2, 10, 0, 0, 500_000, tzinfo=UTC)
    assert row["event_date"] == date(2026, 11, 2)
    assert row["is_sidechain"] is False and row["git_branch"] == "main"


def test_entries_without_timestamp_take_their_files_first_timestamp() -> None:
    rows = _parse([_encode(e) for e in ENTRIES_OF_EVERY_TYPE]).entries.to_pylist()
    summary = next(r for r in rows if r["entry_type"] == "summary")
    assert summary["timestamp"] is None
    assert summary["event_time"] == datetime(2026, 11, 2, 9, 59, tzinfo=UTC)


def test_without_file_inheritance_they_take_ingestion_time() -> None:
    rows = _parse([_encode({"type": "summary", "summary": "x"})], inherit=False).entries.to_pylist()
    assert rows[0]["event_time"] == INGESTED


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"type":"user","timestamp":"2026-11-02T1', "invalid_json"),
        (b"[1, 2, 3]", "not_an_object"),
        (b'"just a string"', "not_an_object"),
        (b"\xff\xfe\x00garbage", "invalid_utf8"),
        (
            b'{"type":"user","sessionId":"s-1","message":{"role":"user"},"timestamp":"yesterday"}',
            "unparseable_timestamp",
        ),
        (
            b'{"type":"assistant","timestamp":"2026-11-02T00:00:00Z","message":{"usage":{"input_tokens":"12"}}}',
            "wrong_type: message.usage.input_tokens",
        ),
        (
            b'{"type":"user","timestamp":"2026-11-02T00:00:00Z","isSidechain":"no"}',
            "wrong_type: isSidechain",
        ),
        (
            b'{"type":"user","sessionId":"s-1","message":{"role":"user"},'
            b'"timestamp":"2019-05-01T00:00:00Z"}',
            "outside_partitions",
        ),
    ],
)
def test_bad_lines_become_dead_letters_with_their_reason(line: bytes, reason: str) -> None:
    good = _encode(ENTRIES_OF_EVERY_TYPE[0])
    parsed = _parse([good, line], window=DateWindow(date(2025, 1, 1), date(2026, 11, 23)))
    assert parsed.entries.num_rows == 1
    letters = parsed.dead_letters.to_pylist()
    assert [(d["reason"], d["line_number"], d["run_id"]) for d in letters] == [(reason, 2, "run-1")]
    assert letters[0]["raw_text"]


def test_only_the_windows_entries_are_returned() -> None:
    lines = [_encode(e) for e in ENTRIES_OF_EVERY_TYPE]
    parsed = _parse(lines, window=DateWindow(date(2026, 11, 3), date(2026, 11, 4)))
    assert [r["entry_type"] for r in parsed.entries.to_pylist()] == ["system"]
