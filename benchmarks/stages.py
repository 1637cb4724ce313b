"""Stages the benchmark times, each run in a child process of its own.

A child per stage gives each figure a clean interpreter (imports included, as a user's
run pays them) and lets the parent read the stage's own peak RSS and CPU time from
`wait4`. Every stage writes its findings as JSON to `--out`.

    python -m benchmarks.stages pipeline --first 2026-11-01 --last 2026-11-14 --out r.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

Result = dict[str, Any]


def duckdb_floor(args: argparse.Namespace) -> Result:
    """The floor of any JSONL extract: DuckDB reading and parsing every file, nothing kept."""
    import duckdb

    files = sorted(str(p) for p in Path(args.logs).rglob("*.jsonl"))
    started = time.perf_counter()
    row = duckdb.sql(
        "select count(*) from read_ndjson_objects($files)", params={"files": files}
    ).fetchone()
    return {"entries": int(row[0]) if row else 0, "seconds": time.perf_counter() - started}


def extract(args: argparse.Namespace) -> Result:
    """The platform's extract alone: the configured source read and parsed, nothing written."""
    from claude_analytics.core.config import load_settings

    window = _window(args)
    source = _open_source(load_settings())
    counts = {"lines": 0, "entries": 0, "dead_letters": 0, "batches": 0}
    started = time.perf_counter()
    for batch in source.iter_batches(window):
        parsed = parse(source, batch, window)
        counts["lines"] += batch.num_rows
        counts["entries"] += parsed.entries.num_rows
        counts["dead_letters"] += parsed.dead_letters.num_rows
        counts["batches"] += 1
    return {**counts, "seconds": time.perf_counter() - started}


def redaction(args: argparse.Namespace) -> Result:
    """What redaction costs: the same batches parsed with it off, then on (read once)."""
    from claude_analytics.core.config import load_settings
    from claude_analytics.core.ingest.redaction import rules

    window = _window(args)
    source = _open_source(load_settings())
    batches = list(source.iter_batches(window))
    rules()  # detect-secrets' plugins load once per process, not per batch
    seconds: dict[str, float] = {}
    redacted = 0
    for switch in (False, True):
        started = time.perf_counter()
        for batch in batches:
            redacted += sum(parse(source, batch, window, redact=switch).redactions.values())
        seconds["on" if switch else "off"] = time.perf_counter() - started
    lines = sum(batch.num_rows for batch in batches)
    return {
        "lines": lines,
        "seconds_off": seconds["off"],
        "seconds_on": seconds["on"],
        "seconds": seconds["on"] - seconds["off"],
        "overhead_percent": 100 * (seconds["on"] - seconds["off"]) / seconds["off"],
        "redacted_values": redacted,
        "rules": len(rules()),
    }


def _window(args: argparse.Namespace) -> Any:
    """[first, last] inclusive, like the pipeline's partition range."""
    from claude_analytics.core.contracts import DateWindow

    return DateWindow(
        date.fromisoformat(args.first), date.fromisoformat(args.last) + timedelta(days=1)
    )


def parse(source: Any, batch: Any, window: Any, redact: bool = True) -> Any:
    """One batch parsed as the lake asset parses it."""
    from claude_analytics.core.ingest.parse import parse_batch
    from claude_analytics.defs.partitions import partition_bounds

    first, last = partition_bounds()
    return parse_batch(
        batch,
        window,
        inherit_file_time=source.inherits_file_time,
        run_id="benchmark",
        partition_start=first,
        partition_end=last,
        redact=redact,
    )


def _open_source(settings: Any) -> Any:
    """The source the environment selects, opened the way `claude-analytics run` opens it."""
    from claude_analytics.defs.resources import source_resource

    with source_resource(settings).process_config_and_initialize_cm() as resource:
        return resource.open()


def mongo_floor(args: argparse.Namespace) -> Result:
    """The floor of any MongoDB extract: pymongo fetching every document, nothing done."""
    import os

    from pymongo import MongoClient

    from claude_analytics.core.config import load_settings

    settings = load_settings()
    started = time.perf_counter()
    with MongoClient(os.environ["MONGO_URI"]) as client:
        collection = client[settings.mongo_db][settings.mongo_collection]
        documents = sum(1 for _ in collection.find({}, batch_size=5_000))
    return {"documents": documents, "seconds": time.perf_counter() - started}


def mongo_sync(args: argparse.Namespace) -> Result:
    """Load the JSONL directory into the collection, as `claude-analytics sync` does."""
    from claude_analytics.core.config import load_settings
    from claude_analytics.core.sources.mongo.sync import sync_directory
    from claude_analytics.defs.resources import mongo_resource

    with mongo_resource(load_settings()).process_config_and_initialize_cm() as mongo:
        target = mongo.target()
    started = time.perf_counter()
    report = sync_directory(target, Path(args.logs))
    return {
        "inserted": report.inserted,
        "lines": report.lines,
        "seconds": time.perf_counter() - started,
    }


def pipeline(args: argparse.Namespace) -> Result:
    """The whole graph for [first, last] in one run, as `claude-analytics run` starts it."""
    definitions, settings, load_seconds = _definitions()
    from claude_analytics.commands.runner import run_full_pipeline

    loaded = time.perf_counter()
    result = run_full_pipeline(
        definitions, settings, date.fromisoformat(args.first), date.fromisoformat(args.last)
    )
    return _run_report(result, settings, load_seconds, time.perf_counter() - loaded)


def job(args: argparse.Namespace) -> Result:
    """A named job over the window its schedule would pick, as `claude-analytics run-job`."""
    definitions, settings, load_seconds = _definitions()
    from datetime import UTC, datetime

    from claude_analytics.commands.jobs import JOB_RUN_CONFIG, default_window
    from claude_analytics.commands.runner import run_job_in_process

    loaded = time.perf_counter()
    window = default_window(args.name, settings, datetime.now(UTC))
    result = run_job_in_process(
        definitions, settings, args.name, window, JOB_RUN_CONFIG.get(args.name)
    )
    report = _run_report(result, settings, load_seconds, time.perf_counter() - loaded)
    return {**report, "window": [str(day) for day in window] if window else None}


def _definitions() -> tuple[Any, Any, float]:
    """The code location and the settings, loaded as a run loads them, and the seconds
    that took (imports included: a user's run pays them)."""
    started = time.perf_counter()
    from claude_analytics.core.config import load_settings
    from claude_analytics.definitions import defs

    settings = load_settings()
    return defs(), settings, time.perf_counter() - started


def _run_report(result: Any, settings: Any, load_seconds: float, run_seconds: float) -> Result:
    """Success, each step's duration and [start, end], and the materialisations' metadata."""
    import dagster as dg

    from claude_analytics.commands.instance import get_instance

    instance = get_instance(settings)
    steps: dict[str, float] = {}
    windows: dict[str, list[float]] = {}
    step_started: dict[str, float] = {}
    for record in instance.all_logs(
        result.run_id,
        of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS},
    ):
        if record.dagster_event_type == dg.DagsterEventType.STEP_START:
            step_started[str(record.step_key)] = record.timestamp
        elif record.step_key in step_started:
            begun = step_started[str(record.step_key)]
            steps[str(record.step_key)] = record.timestamp - begun
            windows[str(record.step_key)] = [begun, record.timestamp]
    metadata: dict[str, dict[str, Any]] = {}
    for node in steps:
        for materialization in result.asset_materializations_for_node(node):
            metadata["/".join(materialization.asset_key.path)] = {
                key: value.value
                for key, value in materialization.metadata.items()
                if isinstance(value.value, int | float | str)
            }
    return {
        "success": result.success,
        "load_seconds": load_seconds,
        "run_seconds": run_seconds,
        "steps": steps,
        "step_windows": windows,
        "metadata": metadata,
    }


STAGES: dict[str, Callable[[argparse.Namespace], Result]] = {
    "duckdb-floor": duckdb_floor,
    "extract": extract,
    "mongo-floor": mongo_floor,
    "mongo-sync": mongo_sync,
    "pipeline": pipeline,
    "redaction": redaction,
    "job": job,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--logs", default=None)
    parser.add_argument("--first", default=None)
    parser.add_argument("--last", default=None)
    parser.add_argument("--name", default=None, help="the job of the `job` stage")
    args = parser.parse_args()
    args.out.write_text(json.dumps(STAGES[args.stage](args), default=str, indent=2))


if __name__ == "__main__":
    main()
