"""The benchmark's parts on tiny inputs: stage children, targets, cached data sets, clocks.

The benchmark itself (`make bench`) takes many minutes and is not part of the suite.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest

from benchmarks import datasets, targets
from benchmarks.measure import Measured, run_stage, stage_env
from claude_analytics.core.sources.sample.generator import SampleSpec
from claude_analytics.core.timing import Clock, timed
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
        "ccusage_history": _measured("ccusage", 4.0),
        "ccusage_grown": _measured("ccusage-grown", 16.0),
        "long_history_full_run": _measured("long", 39.0),
        "readme_lake_day": _measured("lake-day", 12.0),
        "one_asset_project": _measured("one", 5.0),
    }
    results = {t["target"]: t for t in targets.evaluate(measured)}
    full = results["full run from JSONL vs ccusage (s)"]
    assert (full["measured"], full["limit"], full["passed"]) == (30.0, 24.0, False)
    grown = results["incremental run vs ccusage on the grown history (s)"]
    assert (grown["measured"], grown["limit"], grown["passed"]) == (31.0, 32.0, True)
    long = results["long history vs short (same entries, s)"]
    assert (long["limit"], long["passed"]) == (39.0, True)
    fixed = results["README one-day lake materialization (s)"]
    assert (fixed["limit"], fixed["passed"]) == (10.0, False)
    assert results["empty full_pipeline run (s)"]["passed"] is False
    incremental = results["incremental run on N vs N/10 history (s)"]
    assert (incremental["limit"], incremental["passed"]) == (30.0, False)
    assert results["peak RSS of the full run (GiB)"]["passed"] is False
    assert results["peak RSS at N vs N/10 (GiB)"]["limit"] == 1.25
    assert results["MongoDB extract (s)"]["passed"] is None
    for target in results.values():
        assert set(target) == {"target", "measured", "limit", "passed", "detail"}

    rows = {row["stage"]: row for row in targets.stage_table(measured, 1_000, 10)}
    assert rows["warehouse load (DuckDB raw)"]["seconds"] == 4.0
    assert rows["warehouse load (DuckDB raw)"]["entries_per_second"] == 250
    assert rows["JSONL extract in the run"]["seconds"] == 5.0
    assert rows["serving snapshot"]["note"] == targets.NOT_AVAILABLE
    assert rows["full run, same entries over 540 days"]["seconds"] == 39.0


def test_a_missing_peer_leaves_its_targets_unmeasured() -> None:
    measured = {"full_run": _measured("full", 30.0), "incremental_run": _measured("inc", 31.0)}
    results = {t["target"]: t for t in targets.evaluate(measured)}
    assert results["full run from JSONL vs ccusage (s)"]["passed"] is None
    assert "incremental run vs ccusage on the grown history (s)" not in results


def test_redated_history_keeps_every_line_but_its_dates(tmp_path: Path) -> None:
    import json
    import re

    spec = SampleSpec(entries=1_500, days=3)
    source = datasets.cached(spec, tmp_path)
    long = datasets.redated(source, 90, tmp_path)
    assert long.spec.days == 90 and long.last_day == source.last_day
    files = sorted(p.relative_to(source.root) for p in source.root.rglob("*.jsonl"))
    assert files == sorted(p.relative_to(long.root) for p in long.root.rglob("*.jsonl"))
    dates = set()
    for relative in files:
        before = (source.root / relative).read_text().splitlines()
        after = (long.root / relative).read_text().splitlines()
        assert len(before) == len(after)
        shifts = set()
        for old, new in zip(before, after, strict=True):
            # nothing but the dates differ
            pattern = r'"20\d\d-\d\d-\d\dT'
            assert re.sub(pattern, '"DATET', old) == re.sub(pattern, '"DATET', new)
            stamp_old, stamp_new = (
                json.loads(old).get("timestamp"),
                json.loads(new).get("timestamp"),
            )
            if stamp_old:
                shift = date_of(stamp_new) - date_of(stamp_old)
                shifts.add(shift)
                dates.add(date_of(stamp_new))
        assert len(shifts) <= 1, relative  # a whole file moves together
        assert (long.root / relative).stat().st_mtime <= (source.root / relative).stat().st_mtime
    assert min(dates) >= long.first_day and max(dates) <= source.last_day + timedelta(days=1)
    # the sessions really spread out over the longer calendar
    assert len(dates) > spec.days and max(dates) - min(dates) > timedelta(days=3 * spec.days)


def date_of(stamp: str):
    from datetime import datetime

    return datetime.fromisoformat(stamp).date()


def test_ccusage_report_is_read_with_its_process_figures(tmp_path: Path) -> None:
    import stat

    from benchmarks import ccusage

    fake = tmp_path / "ccusage"
    report = {
        "daily": [{"date": "2026-11-01"}, {"date": "2026-11-02"}],
        "totals": {
            "inputTokens": 5,
            "outputTokens": 7,
            "cacheCreationTokens": 11,
            "cacheReadTokens": 13,
            "totalCost": 0.5,
        },
    }
    # a stand-in for the npm binary that checks the arguments ccusage would get
    fake.write_text(
        "#!/bin/sh\n"
        '[ "$1 $2 $3" = "daily --json --offline" ] || exit 3\n'
        '[ -d "$CLAUDE_CONFIG_DIR/projects" ] || exit 4\n'
        f"echo '{json.dumps(report)}'\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    projects = tmp_path / "data" / "logs"
    projects.mkdir(parents=True)
    run = ccusage.daily_report(fake, projects, tmp_path / "out" / "report.json")
    assert run.exit_code == 0, run.error
    assert run.days == 2
    assert run.totals == {
        "inputTokens": 5.0,
        "outputTokens": 7.0,
        "cacheCreationTokens": 11.0,
        "cacheReadTokens": 13.0,
        "totalCost": 0.5,
    }
    assert run.wall_seconds > 0 and run.to_json()["exit_code"] == 0


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


def test_a_large_history_is_linked_from_shards_that_include_the_smaller_one(
    tmp_path: Path, monkeypatch
) -> None:
    from benchmarks import scale

    monkeypatch.setattr(scale, "SHARD_ENTRIES", 20)
    whole = scale.history(50, tmp_path)
    assert [spec.entries for spec in scale._shard_specs(50)] == [20, 20, 10]
    assert count_source_lines(whole.root) == 50
    # shard 0 is the 20-entry history itself: the N/10-style reference is part of it
    first = scale.history(20, tmp_path)
    assert {p.relative_to(first.root) for p in first.root.rglob("*.jsonl")} <= {
        p.relative_to(whole.root) for p in whole.root.rglob("*.jsonl")
    }
    assert whole.window() == datasets.DataSet(whole.root, datasets.history_spec(50)).window()


def test_scale_targets_hold_the_n_run_to_eleven_times_the_n10_run() -> None:
    from benchmarks import scale

    measured = {
        "full_run": _measured("full", 1_000.0, rss=int(1.5 * 2**30)),
        "incremental_run": _measured("inc", 40.0),
        "daily_full_refresh": _measured("refresh", 500.0, rss=int(2.5 * 2**30)),
        "reference_full_run": _measured("ref", 100.0),
        "reference_incremental_run": _measured("ref-inc", 30.0),
        "reference_daily_full_refresh": _measured("ref-refresh", 50.0),
    }
    results = {t["target"]: t for t in scale.evaluate(measured)}
    full = results["full run at N vs N/10 (s)"]
    assert (full["limit"], full["passed"]) == (1_100.0, True)
    assert results["peak RSS of every run at N (GiB)"]["measured"] == 2.5
    assert results["peak RSS of every run at N (GiB)"]["passed"] is False
    assert results["peak RSS of every run at N/10 (GiB)"]["passed"] is True
    rows = {row["stage"]: row for row in scale.stage_rows(measured, 1_000)}
    assert rows["daily full refresh on 1,000"]["seconds"] == 500.0
    assert rows["daily full refresh on 100"]["entries_per_second"] == 2


def test_the_tree_sampler_gives_each_step_its_own_peak() -> None:
    import subprocess
    import sys
    import time

    from benchmarks.rss import TreeSampler, step_peaks

    # a child that holds ~200 MB for a while, then exits
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; b = bytearray(200 * 2**20); time.sleep(1.5)"]
    )
    sampler = TreeSampler(child.pid)
    started = time.time()
    sampler.start()
    child.wait()
    sampler.stop()
    windows = {"holding": [started + 0.8, time.time()], "never": [0.0, 1.0]}
    peaks = step_peaks(sampler.samples, windows)
    assert set(peaks) == {"holding"}
    assert 150 * 2**20 < peaks["holding"] < 400 * 2**20


def test_the_disk_check_counts_the_long_history_run_only_when_it_runs(
    tmp_path: Path, monkeypatch
) -> None:
    from collections import namedtuple

    from benchmarks import scale

    entries = 1_000
    without = entries * (1.1 * scale.RUN_BYTES_PER_ENTRY + scale.JSONL_BYTES_PER_ENTRY)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(scale.shutil, "disk_usage", lambda _: usage(0, 0, int(without) + 1))
    scale.check_disk(entries, tmp_path / "work", tmp_path / "cache", long_history=False)
    with pytest.raises(SystemExit, match="GiB free"):
        scale.check_disk(entries, tmp_path / "work", tmp_path / "cache")


def test_the_disk_check_counts_an_earlier_runs_own_files_as_free(
    tmp_path: Path, monkeypatch
) -> None:
    from collections import namedtuple

    from benchmarks import scale

    entries = 100
    needed = entries * (2.1 * scale.RUN_BYTES_PER_ENTRY + 2 * scale.JSONL_BYTES_PER_ENTRY)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(scale.shutil, "disk_usage", lambda _: usage(0, 0, int(needed) // 2))
    home = tmp_path / "work" / f"run-{entries}" / "history"
    home.mkdir(parents=True)
    cached = tmp_path / "cached.jsonl"
    cached.write_bytes(b"x" * int(needed))
    (home / "linked.jsonl").hardlink_to(cached)  # frees nothing when the home goes
    with pytest.raises(SystemExit, match="GiB free"):
        scale.check_disk(entries, tmp_path / "work", tmp_path / "cache")
    (home / "analytics.duckdb").write_bytes(b"x" * (int(needed) // 2 + 8192))
    scale.check_disk(entries, tmp_path / "work", tmp_path / "cache")
