"""Every malformed line becomes a dead letter with the right reason; nothing is dropped."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claude_analytics.core.contracts import DateWindow
from claude_analytics.core.ingest.parse import RAW_TEXT_LIMIT, ParsedBatch, parse_batch
from claude_analytics.core.sources.jsonl import JsonlDirectorySource
from claude_analytics_tests.support.fault_corpus import SECRETS, write_fault_corpus

DAY = date(2026, 11, 3)
WINDOW = DateWindow(date(2026, 11, 1), date(2026, 11, 15))


def _parse(root: Path, *, redact: bool = True) -> ParsedBatch:
    batches = list(JsonlDirectorySource(root).iter_batches(WINDOW))
    assert len(batches) == 1
    return parse_batch(
        batches[0],
        WINDOW,
        inherit_file_time=True,
        run_id="run-under-test",
        partition_start=date(2025, 1, 1),
        partition_end=date(2026, 11, 30),
        redact=redact,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("faults")
    expected = write_fault_corpus(root, DAY)
    return root, expected, _parse(root)


def test_each_bad_line_has_its_reason_and_each_good_line_is_kept(corpus) -> None:
    _, expected, parsed = corpus
    letters = {
        (row["source_file"], row["line_number"]): row["reason"]
        for row in parsed.dead_letters.to_pylist()
    }
    kept = {(row["source_file"], row["line_number"]) for row in parsed.entries.to_pylist()}
    assert letters == {key: line.reason for key, line in expected.items() if line.reason}
    assert kept == {key for key, line in expected.items() if line.reason is None}
    assert parsed.unaccounted_lines == 0
    assert parsed.lines_by_day == {DAY: len(expected)}


def test_dead_letters_carry_location_run_id_and_capped_text(corpus) -> None:
    _, expected, parsed = corpus
    rows = parsed.dead_letters.to_pylist()
    assert {row["run_id"] for row in rows} == {"run-under-test"}
    assert all(row["event_date"] == DAY for row in rows)
    truncated = next(r for r in rows if r["line_number"] == max(n for _, n in expected))
    assert truncated["raw_text_length"] == len(
        expected[(truncated["source_file"], truncated["line_number"])].raw
    )
    assert len(truncated["raw_text"]) == RAW_TEXT_LIMIT
    assert all(len(row["raw_text"]) <= RAW_TEXT_LIMIT for row in rows)


def test_no_secret_survives_in_entries_or_dead_letters(corpus) -> None:
    _, _, parsed = corpus
    texts = parsed.entries["raw_json"].to_pylist() + parsed.dead_letters["raw_text"].to_pylist()
    for secret in SECRETS.values():
        assert not any(secret in text for text in texts)
    # the message holds one of each secret, the broken line one more API key
    assert parsed.redactions["aws_access_key"] == 1
    assert parsed.redactions["github_token"] == 1
    assert parsed.redactions["api_key"] == 2
    assert sum(parsed.redactions.values()) == 4


def test_large_and_deep_entries_are_kept_whole(corpus) -> None:
    _, expected, parsed = corpus
    by_uuid = {row["uuid"]: row for row in parsed.entries.to_pylist()}
    assert len(by_uuid["fault-0002"]["raw_json"]) > 10 * 1024 * 1024
    assert by_uuid["fault-0003"]["raw_json"].count("[") >= 800
    assert by_uuid["fault-0005"]["entry_type"] == "agent-telemetry"


def test_redaction_can_be_switched_off(corpus) -> None:
    root, _, _ = corpus
    parsed = _parse(root, redact=False)
    assert sum(parsed.redactions.values()) == 0
    assert any(SECRETS["github_token"] in text for text in parsed.entries["raw_json"].to_pylist())
