"""`make bench`: time every stage at a million entries and check the performance targets.

    python -m benchmarks.run --entries 1000000 --json .benchmarks/latest.json

Every stage runs in a child process (see `stages.py`) over a cached, deterministic data
set; the figures and the targets they are held to are printed and written as JSON.
BENCHMARKS.md explains each one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/run.py` as well as `python -m`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import datasets, targets
from benchmarks.measure import REPO, Measured, run_stage, stage_env
from benchmarks.mongo import mongo_stages
from benchmarks.report import markdown_tables, print_report

DEFAULT_WORKDIR = REPO / ".benchmarks"


def _link_tree(source: Path, target: Path) -> None:
    """Hard links: the same bytes and mtimes as the cache, in no time and no space.

    A new file added to `target` later (the increment) never touches the cache.
    """
    shutil.copytree(source, target, copy_function=os.link, dirs_exist_ok=True)


def _finished(out: Path) -> dict[str, Measured]:
    """Stages a stopped run already measured successfully (`--resume` keeps them)."""
    progress = out / "measured.jsonl"
    if not progress.exists():
        return {}
    found = (Measured(**json.loads(line)) for line in progress.read_text().splitlines())
    return {m.label: m for m in found if m.ok}


def _history_runs(
    label: str,
    history: datasets.DataSet,
    increment: datasets.DataSet,
    work: Path,
    out: Path,
    done: dict[str, Measured],
) -> tuple[Measured, Measured]:
    """A full run over the history, then the increment added and run on its own window."""
    if f"{label}-full" in done and f"{label}-incremental" in done:
        return done[f"{label}-full"], done[f"{label}-incremental"]
    home = work / label
    shutil.rmtree(home, ignore_errors=True)
    logs = home / "projects"
    _link_tree(history.root, logs)
    env = stage_env(home, CLAUDE_LOGS_DIR=str(logs))
    first, last = history.window()
    full = run_stage(f"{label}-full", "pipeline", env, out, first=first, last=last)
    _link_tree(increment.root, logs)
    first, last = increment.window()
    incremental = run_stage(f"{label}-incremental", "pipeline", env, out, first=first, last=last)
    return full, incremental


def benchmark(
    entries: int,
    increment_entries: int,
    mongo_entries: int,
    work: Path,
    with_mongo: bool,
    resume: bool = False,
) -> dict[str, Any]:
    history = datasets.cached(datasets.history_spec(entries))
    increment = datasets.cached(datasets.increment_spec(history.spec, increment_entries))
    reference_entries = max(entries // 10, 1)
    reference = datasets.cached(datasets.history_spec(reference_entries))

    run_dir = work / f"run-{entries}"
    out = run_dir / "stages"
    if not resume:
        shutil.rmtree(run_dir, ignore_errors=True)
    done = _finished(out)

    def stage(label: str, name: str, env: dict[str, str], **arguments: str) -> Measured:
        if label in done:
            return done[label]
        return run_stage(label, name, env, out, **arguments)

    first, last = history.window()
    measured: dict[str, Measured] = {}
    started_at = datetime.now(UTC)
    load_before = os.getloadavg()

    measured["duckdb_floor"] = stage(
        "duckdb-floor", "duckdb-floor", stage_env(run_dir / "floor"), logs=str(history.root)
    )
    empty = run_dir / "empty"
    (empty / "projects").mkdir(parents=True, exist_ok=True)
    measured["empty_run"] = stage(
        "empty-run",
        "pipeline",
        stage_env(empty, CLAUDE_LOGS_DIR=str(empty / "projects")),
        first=first,
        last=first,
    )
    measured["full_run"], measured["incremental_run"] = _history_runs(
        "history", history, increment, run_dir, out, done
    )
    measured["reference_full_run"], measured["reference_incremental_run"] = _history_runs(
        "reference", reference, increment, run_dir, out, done
    )
    mongo_notes = "skipped (--no-mongo)"
    if with_mongo:
        mongo_history = datasets.cached(datasets.history_spec(min(mongo_entries, entries)))
        mongo_notes = mongo_stages(mongo_history, run_dir, out, measured, done)
    # last: the in-run extract already splits the run's time; this one runs it alone
    measured["jsonl_extract"] = stage(
        "jsonl-extract",
        "extract",
        stage_env(run_dir / "extract", CLAUDE_LOGS_DIR=str(history.root)),
        first=first,
        last=last,
    )

    measured["redaction"] = stage(
        "redaction",
        "redaction",
        stage_env(run_dir / "redaction", CLAUDE_LOGS_DIR=str(history.root)),
        first=first,
        last=last,
    )

    figures = {
        "entries": entries,
        "increment_entries": increment_entries,
        "reference_entries": reference_entries,
        "mongo_entries": min(mongo_entries, entries),
        "window": [first, last],
        "started_at": started_at.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "machine": _machine(load_before),
        "mongo": mongo_notes,
        "measured": {name: m.to_json() for name, m in measured.items()},
    }
    figures["stages"] = targets.stage_table(measured, entries, increment_entries)
    figures["targets"] = targets.evaluate(measured)
    return figures


def _machine(load_before: tuple[float, float, float]) -> dict[str, Any]:
    import duckdb
    import pyarrow

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pyarrow": pyarrow.__version__,
        # Other work on the machine inflates wall times; CPU seconds are less sensitive.
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--increment-entries", type=int, default=10_000)
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    parser.add_argument("--markdown", type=Path, default=None, help="the tables as Markdown")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--mongo-entries",
        type=int,
        default=100_000,
        help="entries synced into the MongoDB test server (FerretDB is slow to load)",
    )
    parser.add_argument("--no-mongo", action="store_true", help="leave the MongoDB stages out")
    parser.add_argument(
        "--resume", action="store_true", help="keep the stages a stopped run already measured"
    )
    args = parser.parse_args()
    figures = benchmark(
        args.entries,
        args.increment_entries,
        args.mongo_entries,
        args.workdir,
        not args.no_mongo,
        args.resume,
    )
    print_report(figures)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    if args.markdown:
        args.markdown.write_text(markdown_tables(figures))
    failed = [name for name, m in figures["measured"].items() if m["exit_code"] != 0]
    if failed:
        print(f"stages that failed (see their logs under {args.workdir}): {', '.join(failed)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
