"""The benchmark's parts on tiny inputs: stage children, targets, cached data sets, clocks.

The benchmark itself (`make bench`) takes many minutes and is not part of the suite.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from benchmarks import datasets, targets
from benchmarks.measure import Measured, run_stage, stage_env
from claude_analytics.lib.sample_data import SampleSpec
from claude_analytics.lib.timing import Clock, timed
from claude_analytics_tests.conftest import SMALL_SAMPLE, count_source_lines


def _measured(label: str, wall: float, rss: int = 2**28, **result) -> Measured:
    return Measured(label, label, wall, wall, rss, 0, dict(result))


def test_timed_counts_the_producers_time_only() -> None:
    def slow() -> object:
        for item in range(3):
            time.sleep(0.05)
            yield item

    clock = Clock()
    seen = []
    for item in timed(slow(), clock):
        seen.append(item)
        time.sleep(0.1)  # the consumer's time is not the producer's
    assert seen == [0, 1, 2]
    assert 0.15 <= clock.seconds < 0.3


def test_targets_are_computed_from_the_same_runs_figures() -> None:
    measured = {
        "duckdb_floor": _measured("floor", 2.5, seconds=2.0),
        "empty_run": _measured("empty", 20.0),
        "full_run": _measured(
            "full",
            30.0,
            rss=3 * 2**30,
            steps={"lake_raw": 9.0, "warehouse_raw": 4.0, "dbt_models": 6.0},
            metadata={"lake/raw/conversations": {"extract_seconds": 5.0}},
        ),
        "incremental_run": _measured("inc", 31.0),
        "reference_incremental_run": _measured("inc-ref", 20.0),
        "reference_full_run": _measured("ref", 25.0, rss=2**30),
    }
    results = {t["target"]: t for t in targets.evaluate(measured)}
    full = results["full run from JSONL (s)"]
    assert (full["measured"], full["limit"], full["passed"]) == (30.0, 26.0, False)
    incremental = results["incremental run on N vs N/10 history (s)"]
    assert (incremental["limit"], incremental["passed"]) == (30.0, False)
    assert results["peak RSS of the full run (GiB)"]["passed"] is False
    assert results["peak RSS at N vs N/10 (GiB)"]["limit"] == 1.25
    assert results["MongoDB extract (s)"]["passed"] is None

    rows = {row["stage"]: row for row in targets.stage_table(measured, 1_000, 10)}
    assert rows["warehouse load (DuckDB raw)"]["seconds"] == 4.0
    assert rows["warehouse load (DuckDB raw)"]["entries_per_second"] == 250
    assert rows["JSONL extract in the run"]["seconds"] == 5.0
    assert rows["serving snapshot"]["note"] == targets.NOT_AVAILABLE


def test_data_sets_are_generated_once_and_the_increment_follows_the_history(
    tmp_path: Path,
) -> None:
    spec = SampleSpec(entries=40, days=2)
    first = datasets.cached(spec, tmp_path)
    marker = first.root.parent / ".complete"
    stamp = marker.stat().st_mtime_ns
    again = datasets.cached(spec, tmp_path)
    assert again.root == first.root and marker.stat().st_mtime_ns == stamp
    assert count_source_lines(first.root) == 40

    increment = datasets.increment_spec(spec, 10)
    gap = increment.start - (first.last_day + timedelta(days=1))
    assert gap == timedelta(days=datasets.INCREMENT_GAP_DAYS)
    assert increment.seed != spec.seed and increment.entries == 10


def test_stage_children_report_counts_rss_and_cpu(small_sample: Path, tmp_path: Path) -> None:
    expected = count_source_lines(small_sample)
    out = tmp_path / "stages"
    floor = run_stage(
        "floor", "duckdb-floor", stage_env(tmp_path / "home"), out, logs=str(small_sample)
    )
    assert floor.ok and floor.result["entries"] == expected
    assert floor.peak_rss_bytes > 10 * 2**20 and floor.cpu_seconds > 0

    # inclusive: sessions of the last day may end after midnight
    last = SMALL_SAMPLE.start + timedelta(days=SMALL_SAMPLE.days)
    extract = run_stage(
        "extract",
        "extract",
        stage_env(tmp_path / "home", CLAUDE_LOGS_DIR=str(small_sample)),
        out,
        first=SMALL_SAMPLE.start.isoformat(),
        last=last.isoformat(),
    )
    assert extract.ok, (out / "extract.log").read_text()
    assert extract.result["lines"] == expected
    assert extract.result["entries"] + extract.result["dead_letters"] == expected


def test_the_redaction_stage_times_the_parse_with_and_without_it(
    small_sample: Path, tmp_path: Path
) -> None:
    last = SMALL_SAMPLE.start + timedelta(days=SMALL_SAMPLE.days)
    out = tmp_path / "stages"
    measured = run_stage(
        "redaction",
        "redaction",
        stage_env(tmp_path / "home", CLAUDE_LOGS_DIR=str(small_sample)),
        out,
        first=SMALL_SAMPLE.start.isoformat(),
        last=last.isoformat(),
    )
    assert measured.ok, (out / "redaction.log").read_text()
    result = measured.result
    assert result["lines"] == count_source_lines(small_sample)
    assert result["seconds_on"] > 0 and result["seconds_off"] > 0
    assert result["seconds"] == result["seconds_on"] - result["seconds_off"]
    table = targets.stage_table({"redaction": measured}, 1, 1)
    row = next(r for r in table if "redaction" in r["stage"])
    assert row["entries"] == result["lines"] and "rules" in row["note"]
