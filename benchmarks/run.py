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
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/run.py` as well as `python -m`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import ccusage, datasets, scale, targets
from benchmarks.measure import REPO, Measured, run_command, run_stage, stage_env
from benchmarks.mongo import mongo_stages
from benchmarks.report import markdown_tables, print_report

DEFAULT_WORKDIR = REPO / ".benchmarks"
# The README's example of materialising one day of the lake from the CLI.
README_LAKE_SELECTION = "lake/raw/conversations,lake/raw/dead_letters"
README_LAKE_DAY = "2026-11-03"
LONG_HISTORY_DAYS = 540
FIXED_COST_REPEATS = 3
# Stages `--skip` may leave out: none of them is needed by the scale targets, and at 10M
# the long-history run alone (the history re-dated, ~45 minutes) doubles time and disk.
SKIPPABLE = ("long-history", "fixed-cost", "ccusage", "mongo", "extract", "redaction")


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


def _full_run(label: str, data: datasets.DataSet, work: Path, out: Path, done) -> Measured:
    """One full run over every day of `data`, in a home of its own."""
    if label in done:
        return done[label]
    home = work / label
    shutil.rmtree(home, ignore_errors=True)
    logs = home / "projects"
    _link_tree(data.root, logs)
    first, last = data.window()
    return run_stage(
        label, "pipeline", stage_env(home, CLAUDE_LOGS_DIR=str(logs)), out, first=first, last=last
    )


def _median_run(label: str, command: list[str], env: dict[str, str], out: Path) -> Measured:
    """A warm-up, then the median of FIXED_COST_REPEATS timed runs of `command`."""
    run_command(f"{label}-warm-up", label, command, env, out)
    runs = sorted(
        (run_command(f"{label}-{i}", label, command, env, out) for i in range(FIXED_COST_REPEATS)),
        key=lambda m: m.wall_seconds,
    )
    median = runs[len(runs) // 2]
    median.label = label
    median.result = {"wall_seconds": [round(m.wall_seconds, 3) for m in runs]}
    return median


def fixed_cost(work: Path, out: Path, done: dict[str, Measured]) -> tuple[Measured, Measured]:
    """The README's one-day lake materialisation against a one-asset Dagster project, both
    through `dagster asset materialize` in this environment with the project's instance
    configuration: what the platform adds to Dagster's own fixed cost."""
    if "readme-lake-day" in done and "one-asset-project" in done:
        return done["readme-lake-day"], done["one-asset-project"]
    sample = datasets.cached(datasets.SampleSpec(entries=datasets.README_SAMPLE_ENTRIES))
    dagster = str(Path(sys.executable).parent / "dagster")
    measured = []
    for label, command, logs in (
        (
            "readme-lake-day",
            [
                dagster,
                "asset",
                "materialize",
                "-m",
                "claude_analytics.definitions",
                "--select",
                README_LAKE_SELECTION,
                "--partition",
                README_LAKE_DAY,
            ],
            str(sample.root),
        ),
        (
            "one-asset-project",
            [
                dagster,
                "asset",
                "materialize",
                "-f",
                str(REPO / "benchmarks" / "one_asset.py"),
                "--select",
                "one",
            ],
            None,
        ),
    ):
        home = work / label
        shutil.rmtree(home, ignore_errors=True)
        (home / "dagster").mkdir(parents=True)
        shutil.copyfile(REPO / "deploy" / "dagster.yaml", home / "dagster" / "dagster.yaml")
        env = stage_env(home, CLAUDE_LOGS_DIR=logs)
        measured.append(_median_run(label, command, env, out))
        (out / "measured.jsonl").open("a").write(json.dumps(measured[-1].to_json()) + "\n")
    return measured[0], measured[1]


def ccusage_runs(
    history: datasets.DataSet, grown: Path, work: Path, out: Path, done: dict[str, Measured]
) -> tuple[Measured | None, Measured | None, str]:
    """`ccusage daily --json --offline` on the history, then on the history plus the
    increment (the files of the incremental run)."""
    if "ccusage-history" in done and "ccusage-grown" in done:
        return done["ccusage-history"], done["ccusage-grown"], "measured by the resumed run"
    try:
        binary = ccusage.install(work / "ccusage")
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        return None, None, f"not available: {error}"
    runs = []
    for label, projects in (("ccusage-history", history.root), ("ccusage-grown", grown)):
        report = ccusage.daily_report(binary, projects, out / f"{label}.json")
        run = Measured(**report.to_json())
        run.label = label
        (out / "measured.jsonl").open("a").write(json.dumps(run.to_json()) + "\n")
        runs.append(run)
    return runs[0], runs[1], f"ccusage {ccusage.CCUSAGE_VERSION} from npm"


def benchmark(
    entries: int,
    increment_entries: int,
    mongo_entries: int,
    work: Path,
    resume: bool = False,
    skip: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    history = scale.history(entries)
    increment = datasets.cached(datasets.increment_spec(history.spec, increment_entries))
    reference_entries = max(entries // 10, 1)
    reference = scale.history(reference_entries)

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
    scale.refresh_runs(run_dir, out, done, measured)
    ccusage_notes = "skipped (--skip ccusage)"
    if "ccusage" not in skip:
        measured["ccusage_history"], measured["ccusage_grown"], ccusage_notes = ccusage_runs(
            history, run_dir / "history" / "projects", work, out, done
        )
    if "long-history" not in skip:
        long_history = datasets.redated(history, LONG_HISTORY_DAYS)
        measured["long_history_full_run"] = _full_run(
            "long-history", long_history, run_dir, out, done
        )
    if "fixed-cost" not in skip:
        measured["readme_lake_day"], measured["one_asset_project"] = fixed_cost(run_dir, out, done)
    mongo_notes = "skipped (--skip mongo)"
    if "mongo" not in skip:
        mongo_history = datasets.cached(datasets.history_spec(min(mongo_entries, entries)))
        mongo_notes = mongo_stages(mongo_history, run_dir, out, measured, done)
    # last: the in-run extract already splits the run's time; these run it alone
    for key, label, name in (
        ("jsonl_extract", "jsonl-extract", "extract"),
        ("redaction", "redaction", "redaction"),
    ):
        if name not in skip:
            measured[key] = stage(
                label,
                name,
                stage_env(run_dir / name, CLAUDE_LOGS_DIR=str(history.root)),
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
        "ccusage": ccusage_notes,
        "long_history_days": LONG_HISTORY_DAYS,
        "skipped": sorted(skip),
        "measured": {name: m.to_json() for name, m in measured.items() if m is not None},
    }
    figures["stages"] = targets.stage_table(measured, entries, increment_entries)
    figures["stages"] += scale.stage_rows(measured, entries)
    figures["step_rss"] = scale.step_rss(measured)
    figures["targets"] = targets.evaluate(measured) + scale.evaluate(measured)
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
    parser.add_argument("--no-mongo", action="store_true", help="the same as --skip mongo")
    parser.add_argument(
        "--resume", action="store_true", help="keep the stages a stopped run already measured"
    )
    parser.add_argument(
        "--no-disk-check",
        action="store_true",
        help="run even if the free disk looks too small for the runs (scale.check_disk)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        choices=SKIPPABLE,
        default=[],
        help="leave a stage out (repeatable); its rows and targets say 'not available yet'",
    )
    args = parser.parse_args()
    skip = frozenset(args.skip) | ({"mongo"} if args.no_mongo else set())
    if not args.no_disk_check:
        scale.check_disk(args.entries, args.workdir, long_history="long-history" not in skip)
    figures = benchmark(
        args.entries,
        args.increment_entries,
        args.mongo_entries,
        args.workdir,
        args.resume,
        skip,
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
