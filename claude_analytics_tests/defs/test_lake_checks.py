"""The lake's gates fail when they should: pandera, parity, dead-letter rate, drift."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import dagster as dg
import pyarrow as pa

from claude_analytics.core.contracts import RAW_LINE_SCHEMA, DateWindow
from claude_analytics.core.ingest.batch_contract import BatchValidation, validate_batch
from claude_analytics.core.ingest.drift import DriftReport, observe
from claude_analytics.core.ingest.parse import parse_batch
from claude_analytics.defs.lake import checks

ASSET = dg.AssetKey(["lake", "raw", "conversations"])
DAY = date(2026, 11, 3)
WINDOW = DateWindow(DAY, date(2026, 11, 4))


def _entries(*entries: dict) -> pa.Table:
    n = len(entries)
    batch = pa.Table.from_arrays(
        [
            pa.array([f"id{i}" for i in range(n)]),
            pa.array(["p/s.jsonl"] * n),
            pa.array(range(1, n + 1), pa.int64()),
            pa.array(["p"] * n),
            pa.array([json.dumps(e).encode() for e in entries], pa.binary()),
            pa.array([datetime(2026, 11, 3, 12, tzinfo=UTC)] * n, pa.timestamp("us", tz="UTC")),
        ],
        schema=RAW_LINE_SCHEMA,
    )
    parsed = parse_batch(
        batch,
        WINDOW,
        inherit_file_time=True,
        run_id="r",
        partition_start=date(2025, 1, 1),
        partition_end=date(2026, 12, 1),
    )
    return parsed.entries


def _turn(uuid: str, **fields) -> dict:
    return {
        "type": "assistant",
        "uuid": uuid,
        "sessionId": "s1",
        "timestamp": "2026-11-03T09:00:00Z",
        "message": {"role": "assistant", "usage": {"input_tokens": 5, "output_tokens": 7}},
        **fields,
    }


def test_pandera_passes_good_batches_and_reports_each_failure() -> None:
    good = BatchValidation()
    validate_batch(_entries(_turn("a"), _turn("b")), WINDOW, good)
    assert good.passed and good.rows == 2

    bad = BatchValidation()
    negative = _turn("c", message={"role": "assistant", "usage": {"output_tokens": -3}})
    validate_batch(_entries(negative, _turn("d")), WINDOW, bad)
    # the same rows checked against another day's window: both lie outside it
    validate_batch(
        _entries(_turn("e"), _turn("f")), DateWindow(date(2026, 11, 4), date(2026, 11, 5)), bad
    )
    assert not bad.passed
    assert bad.failures == 3
    assert bad.failures_by_check == {
        "output_tokens: greater_than_or_equal_to(0)": 1,
        "event_date: greater_than_or_equal_to(2026-11-04 00:00:00)": 2,
    }
    result = checks.batch_schema_result(ASSET, checks.ExtractTally(validation=bad))
    assert result.passed is False


def test_pandera_rejects_duplicate_ids_in_a_batch() -> None:
    entries = _entries(_turn("a"))
    validation = BatchValidation()
    validate_batch(pa.concat_tables([entries, entries]), WINDOW, validation)
    assert validation.failures_by_check == {"entry_id: field_uniqueness": 2}


def test_parity_fails_when_a_row_is_missing_from_the_lake() -> None:
    tally = checks.ExtractTally()
    tally.add_counts({DAY: 10, date(2026, 11, 4): 5}, 0, {})
    ok = checks.parity_result(ASSET, tally, {DAY: 9, date(2026, 11, 4): 5}, {DAY: 1})
    assert ok.passed is True
    lost = checks.parity_result(ASSET, tally, {DAY: 8, date(2026, 11, 4): 5}, {DAY: 1})
    assert lost.passed is False
    assert lost.metadata["mismatched_days"].value == {
        "2026-11-03": {"source_lines": 10, "lake_rows": 8, "dead_letters": 1}
    }
    tally.add_counts({}, 1, {})
    assert (
        checks.parity_result(ASSET, tally, {DAY: 9, date(2026, 11, 4): 5}, {DAY: 1}).passed is False
    )


def test_dead_letter_rate_threshold() -> None:
    tally = checks.ExtractTally()
    tally.add_counts({DAY: 200}, 0, {})
    assert checks.dead_letter_rate_result(ASSET, tally, 2, 0.01).passed is True
    assert checks.dead_letter_rate_result(ASSET, tally, 3, 0.01).passed is False
    assert checks.dead_letter_rate_result(ASSET, tally, 3, 0.05).passed is True


def test_drift_lists_new_types_and_fields_with_examples() -> None:
    report = DriftReport()
    observe(_entries(_turn("a"), _turn("b", type="system", subtype="info")), report)
    assert not report.drifted
    observe(
        _entries(_turn("c", type="agent-telemetry", telemetryBlob=1), _turn("d", newFlag=True)),
        report,
    )
    assert report.entry_types == {"agent-telemetry": {"count": 1, "example_entry_id": "id0"}}
    assert report.fields == {
        "newFlag": {"count": 1, "example_entry_id": "id1"},
        "telemetryBlob": {"count": 1, "example_entry_id": "id0"},
    }
    result = checks.drift_result(ASSET, checks.ExtractTally(drift=report))
    assert result.passed is False
    assert result.severity == dg.AssetCheckSeverity.WARN
