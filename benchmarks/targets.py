"""The stage table and the performance targets, computed from measured runs.

Each target is a ratio or a bound measured in one benchmark run on one machine; BENCHMARKS.md
says why each is the right bound.
"""

from __future__ import annotations

from typing import Any

from benchmarks.measure import Measured

GIB = 2**30
NOT_AVAILABLE = "not available yet"

# Targets (BENCHMARKS.md says why each one is the right bound).
MONGO_FLOOR_FACTOR = 2.0
# against ccusage, the CLI users already run on the same files
FULL_RUN_CCUSAGE_FACTOR = 6.0
INCREMENTAL_CCUSAGE_FACTOR = 2.0
# the same entries dated over 540 days instead of 14
LONG_HISTORY_FACTOR = 1.3
# the README's one-day lake materialisation against a one-asset Dagster project
FIXED_COST_FACTOR = 2.0
EMPTY_RUN_LIMIT_SECONDS = 10.0
INCREMENTAL_HISTORY_FACTOR = 1.5
PEAK_RSS_LIMIT = 2 * GIB
# "Not growing with N": the peak at N may exceed the peak at N/10 by at most this factor.
PEAK_RSS_GROWTH_FACTOR = 1.25


def _step(run: Measured | None, *fragments: str) -> float | None:
    if run is None or not run.ok:
        return None
    steps: dict[str, float] = run.result.get("steps", {})
    found = [seconds for key, seconds in steps.items() if any(f in key for f in fragments)]
    return sum(found) if found else None


def _lake_metadata(run: Measured | None, key: str) -> float | None:
    if run is None or not run.ok:
        return None
    value = run.result.get("metadata", {}).get("lake/raw/conversations", {}).get(key)
    return float(value) if value is not None else None


def _row(
    stage: str,
    seconds: float | None,
    entries: int | None,
    run: Measured | None = None,
    note: str = "",
) -> dict[str, Any]:
    return {
        "stage": stage,
        "seconds": round(seconds, 3) if seconds is not None else None,
        "entries": entries,
        "entries_per_second": round(entries / seconds) if seconds and entries else None,
        "peak_rss_bytes": run.peak_rss_bytes if run is not None else None,
        "cpu_seconds": round(run.cpu_seconds, 2) if run is not None else None,
        "note": note if seconds is not None else (note or NOT_AVAILABLE),
    }


def stage_table(measured: dict[str, Measured], entries: int, increment: int) -> list[dict]:
    """One row per stage: seconds, entries per second, and the process's peak RSS and CPU."""
    get = measured.get
    full = get("full_run")
    floor = get("duckdb_floor")
    extract = get("jsonl_extract")
    rows = [
        _row(
            "DuckDB floor: read_ndjson_objects + count",
            floor.result.get("seconds") if floor and floor.ok else None,
            entries,
            floor,
        ),
        _row(
            "JSONL extract alone (read + parse)",
            extract.result.get("seconds") if extract and extract.ok else None,
            entries,
            extract,
        ),
        _row("JSONL extract in the run", _lake_metadata(full, "extract_seconds"), entries),
        _redaction_row(get("redaction")),
        _row("lake write (Iceberg)", _lake_metadata(full, "lake_write_seconds"), entries),
        _row("warehouse load (DuckDB raw)", _step(full, "warehouse_raw"), entries),
        _row("dbt build", _step(full, "dbt_models"), entries),
        _row("serving snapshot", _step(full, "analytics_snapshot"), entries),
        _row("dashboard (HTML)", _step(full, "dashboard"), entries),
        _row(
            "full run from JSONL (process)",
            full.wall_seconds if full and full.ok else None,
            entries,
            full,
        ),
        _row(
            "empty run (fixed per-run overhead)",
            get("empty_run").wall_seconds if get("empty_run") else None,
            None,
            get("empty_run"),
        ),
    ]
    for key, label in (
        ("incremental_run", f"incremental run +{increment:,} on {entries:,}"),
        ("reference_full_run", "reference full run (N/10)"),
        ("reference_incremental_run", f"incremental run +{increment:,} on N/10"),
    ):
        run = get(key)
        count = entries // 10 if key == "reference_full_run" else increment
        rows.append(_row(label, run.wall_seconds if run and run.ok else None, count, run))
    for key, label, count in (
        ("long_history_full_run", "full run, same entries over 540 days", entries),
        ("ccusage_history", "ccusage daily --json --offline (history)", entries),
        ("ccusage_grown", "ccusage daily --json --offline (history + increment)", None),
        ("readme_lake_day", "README one-day lake materialization (median)", None),
        ("one_asset_project", "one-asset Dagster project materialization (median)", None),
    ):
        run = get(key)
        rows.append(_row(label, run.wall_seconds if run and run.ok else None, count, run))
    for key, label, field in (
        ("mongo_sync", "MongoDB sync (JSONL into the test server)", "seconds"),
        ("mongo_floor", "MongoDB floor: bare pymongo scan", "seconds"),
        ("mongo_extract", "MongoDB extract alone (read + parse)", "seconds"),
    ):
        run = get(key)
        seconds = run.result.get(field) if run and run.ok else None
        count = run.result.get("documents") or run.result.get("lines") if run else None
        rows.append(_row(label, seconds, count, run))
    return rows


def _redaction_row(run: Measured | None) -> dict[str, Any]:
    """The parse's extra time with redaction on (detect-secrets' rules) over it off."""
    ok = run is not None and run.ok
    result = run.result if ok and run is not None else {}
    note = (
        f"{result['overhead_percent']:.0f}% over the parse without it "
        f"({result['seconds_off']:.2f} s), {result['rules']} rules"
        if ok
        else ""
    )
    return _row("redaction (parse on - off)", result.get("seconds"), result.get("lines"), run, note)


def _target(name: str, value: float | None, limit: float | None, detail: str) -> dict[str, Any]:
    if value is None or limit is None:
        return {"target": name, "measured": None, "limit": None, "passed": None, "detail": detail}
    return {
        "target": name,
        "measured": round(value, 3),
        "limit": round(limit, 3),
        "passed": value <= limit,
        "detail": detail,
    }


def _ok(*runs: Measured | None) -> bool:
    return all(run is not None and run.ok for run in runs)


def evaluate(measured: dict[str, Measured]) -> list[dict[str, Any]]:
    get = measured.get
    full, empty = get("full_run"), get("empty_run")
    ccusage_history, ccusage_grown = get("ccusage_history"), get("ccusage_grown")
    results = []
    if _ok(full, ccusage_history):
        results.append(
            _target(
                "full run from JSONL vs ccusage (s)",
                full.wall_seconds,
                FULL_RUN_CCUSAGE_FACTOR * ccusage_history.wall_seconds,
                f"6 x `ccusage daily --json --offline` on the same files "
                f"({ccusage_history.wall_seconds:.2f} s)",
            )
        )
    else:
        results.append(_target("full run from JSONL vs ccusage (s)", None, None, NOT_AVAILABLE))
    big = get("incremental_run")
    if _ok(big, ccusage_grown):
        results.append(
            _target(
                "incremental run vs ccusage on the grown history (s)",
                big.wall_seconds,
                INCREMENTAL_CCUSAGE_FACTOR * ccusage_grown.wall_seconds,
                f"2 x ccusage's daily report on history + increment "
                f"({ccusage_grown.wall_seconds:.2f} s)",
            )
        )
    long_history = get("long_history_full_run")
    if _ok(long_history, full):
        results.append(
            _target(
                "long history vs short (same entries, s)",
                long_history.wall_seconds,
                LONG_HISTORY_FACTOR * full.wall_seconds,
                f"1.3 x the full run of the same entries over 14 days ({full.wall_seconds:.2f} s)",
            )
        )
    lake_day, one_asset = get("readme_lake_day"), get("one_asset_project")
    if _ok(lake_day, one_asset):
        results.append(
            _target(
                "README one-day lake materialization (s)",
                lake_day.wall_seconds,
                FIXED_COST_FACTOR * one_asset.wall_seconds,
                f"2 x `dagster asset materialize` of a one-asset project "
                f"({one_asset.wall_seconds:.2f} s, median of 3)",
            )
        )
    if _ok(empty):
        results.append(
            _target(
                "empty full_pipeline run (s)",
                empty.wall_seconds,
                EMPTY_RUN_LIMIT_SECONDS,
                "a whole run on an empty source, process start included",
            )
        )
    mongo_extract, mongo_floor = get("mongo_extract"), get("mongo_floor")
    if _ok(mongo_extract, mongo_floor):
        bare = float(mongo_floor.result["seconds"])
        results.append(
            _target(
                "MongoDB extract (s)",
                float(mongo_extract.result["seconds"]),
                MONGO_FLOOR_FACTOR * bare,
                f"2 x bare pymongo scan ({bare:.2f} s)",
            )
        )
    else:
        results.append(_target("MongoDB extract (s)", None, None, NOT_AVAILABLE))
    small = get("reference_incremental_run")
    if _ok(big, small):
        results.append(
            _target(
                "incremental run on N vs N/10 history (s)",
                big.wall_seconds,
                INCREMENTAL_HISTORY_FACTOR * small.wall_seconds,
                f"1.5 x the same increment on N/10 ({small.wall_seconds:.2f} s)",
            )
        )
    reference = get("reference_full_run")
    if _ok(full):
        results.append(
            _target(
                "peak RSS of the full run (GiB)",
                full.peak_rss_bytes / GIB,
                PEAK_RSS_LIMIT / GIB,
                "under 2 GiB",
            )
        )
        if _ok(reference):
            results.append(
                _target(
                    "peak RSS at N vs N/10 (GiB)",
                    full.peak_rss_bytes / GIB,
                    PEAK_RSS_GROWTH_FACTOR * reference.peak_rss_bytes / GIB,
                    f"1.25 x the N/10 run's peak ({reference.peak_rss_bytes / GIB:.2f} GiB)",
                )
            )
    return results
