"""The document shape and its way back to the original line, without a server."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import bson
from bson.codec_options import CodecOptions

from claude_analytics.core.contracts import DateWindow
from claude_analytics.core.sources.jsonl import entry_id_for
from claude_analytics.core.sources.mongo.documents import (
    document_id,
    entry_line,
    iso_millis,
    to_document,
)
from claude_analytics.core.sources.mongo.source import window_query
from claude_analytics.core.uri_secrets import redact_uri, scrub, server_label
from claude_analytics_tests.conftest import SMALL_SAMPLE

URI = "mongodb://reader:s3cr%40t@db1.internal:27017,db2.internal:27018/admin?tls=true"


def test_uri_helpers_never_show_the_password() -> None:
    assert (
        redact_uri(URI)
        == "mongodb://reader:***@db1.internal:27017,db2.internal:27018/admin?tls=true"
    )
    assert server_label(URI) == "mongodb://db1.internal:27017,db2.internal:27018"
    message = scrub(f"auth failed for {URI} with password s3cr@t (s3cr%40t)", URI)
    assert "s3cr" not in message
    assert message.count("***") == 3


def test_every_sample_line_survives_the_bson_round_trip(small_sample_master: Path) -> None:
    options = CodecOptions(tz_aware=True, tzinfo=UTC)
    lines = 0
    for path in sorted(small_sample_master.rglob("*.jsonl")):
        relative = path.relative_to(small_sample_master).as_posix()
        for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
            if not raw.strip():
                continue
            document = to_document(
                json.loads(raw),
                source_file=relative,
                line_number=number,
                project_id=relative.split("/")[0],
                ingested_at=datetime(2026, 11, 20, 8, 30, 1, 250_000, tzinfo=UTC),
            )
            stored = bson.decode(bson.encode(document), codec_options=options)
            assert entry_line(stored) == raw, f"{relative}:{number}"
            assert str(stored["_id"]) == entry_id_for(relative, number)[:24]
            lines += 1
    assert lines == SMALL_SAMPLE.entries


def test_bson_dates_and_ids_render_as_claude_code_writes_them() -> None:
    document = {
        "_id": document_id("p/s.jsonl", 3),
        "type": "user",
        "timestamp": datetime(2026, 11, 2, 9, 5, 7, 42_000, tzinfo=UTC),
        "message": {"content": "héllo ✓"},
        "projectId": "p",
        "sourceFile": "p/s.jsonl",
        "ingestedAt": datetime(2026, 11, 3, tzinfo=UTC),
    }
    assert (
        entry_line(document)
        == (
            '{"type":"user","timestamp":"2026-11-02T09:05:07.042Z","message":{"content":"héllo ✓"}}'
        ).encode()
    )
    assert iso_millis(datetime(2026, 1, 2, 3, 4, 5, 999_999)) == "2026-01-02T03:04:05.999Z"


def test_window_query_widen_text_timestamps_by_the_largest_utc_offset() -> None:
    text, dates, undated = window_query(DateWindow(date(2026, 11, 2), date(2026, 11, 3)))["$or"]
    assert text["timestamp"]["$gte"] == "2026-11-01T10:00:00"
    assert text["timestamp"]["$lt"] == "2026-11-03T14:00:00"
    assert dates["timestamp"]["$gte"] == datetime(2026, 11, 2, tzinfo=UTC)
    assert undated["ingestedAt"]["$lt"] == datetime(2026, 11, 3, tzinfo=UTC)
