"""Ten million entries on one machine: the data set, the daily full refresh, memory by
step, and the scale targets (issue 15).

- A history above a million entries is generated as shards of a million (the generator
  keeps a whole data set in memory until it writes it: ~1.5 GB per million entries), each
  from a seed of its own and over the same days, then hard-linked into one tree. Shard 0
  is the million-entry data set itself, so the 10M history holds the 1M one.
- After the incremental run, the daily full refresh (`daily_full_refresh`, every dbt model
  rebuilt over every day the lake holds) runs on the same history, at N and at N/10.
- Targets: the full run at N within 11x the N/10 run (10x the data, 10% for what is not
  linear); every run's peak RSS under 2 GiB at both sizes. The incremental run's 1.5x is
  `targets.py`'s.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from stat import S_ISREG
from typing import Any

from benchmarks import datasets
from benchmarks.measure import Measured, run_stage, stage_env
from benchmarks.targets import _row, _target
from claude_analytics.core.sources.sample.generator import DEFAULT_SEED

GIB = 2**30
SHARD_ENTRIES = 1_000_000
# Far from the increment's seed (DEFAULT_SEED + 1): no shard repeats its sessions.
SHARD_SEED_STEP = 1_000
FULL_RUN_GROWTH_FACTOR = 11.0
PEAK_RSS_LIMIT = 2 * GIB
# Disk a run needs per history entry, beyond the cached JSONL (~760 B): the DuckDB file with
# every layer (~3 KB after a full refresh), the serving snapshot, the lake's Parquet and
# Dagster's history; measured at 20k entries (3.7 KB), rounded up. dbt's spill comes on top.
RUN_BYTES_PER_ENTRY = 4_000
JSONL_BYTES_PER_ENTRY = 800
RUNS = {
    "full_run": "full run",
    "incremental_run": "incremental run",
    "daily_full_refresh": "daily full refresh",
    "reference_full_run": "N/10 full run",
    "reference_incremental_run": "N/10 incremental run",
    "reference_daily_full_refresh": "N/10 daily full refresh",
}


def _shard_specs(entries: int) -> list[datasets.SampleSpec]:
    whole = datasets.history_spec(entries)
    sizes = [SHARD_ENTRIES] * (entries // SHARD_ENTRIES)
    if entries % SHARD_ENTRIES:
        sizes.append(entries % SHARD_ENTRIES)
    return [
        replace(whole, entries=size, seed=DEFAULT_SEED + SHARD_SEED_STEP * index)
        for index, size in enumerate(sizes)
    ]


def _sharded_root(entries: int, cache: Path) -> Path:
    key = datasets._key(datasets.history_spec(entries))
    return cache / (key if entries <= SHARD_ENTRIES else f"{key}-shards-of-{SHARD_ENTRIES}")


def history(entries: int, cache: Path = datasets.DEFAULT_CACHE) -> datasets.DataSet:
    """The benchmark's history of `entries` entries, cached like every data set."""
    if entries <= SHARD_ENTRIES:
        return datasets.cached(datasets.history_spec(entries), cache)
    spec = datasets.history_spec(entries)
    root = _sharded_root(entries, cache)
    marker = root / ".complete"
    if not marker.exists():
        shards = _shard_specs(entries)
        # two at a time: each holds its shard in memory until written (~1.5 GB)
        with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            parts = list(pool.map(datasets.cached, shards, [cache] * len(shards)))
        shutil.rmtree(root, ignore_errors=True)
        for part in parts:
            # hard links keep the shards' bytes and mtimes; a name in two shards fails here
            shutil.copytree(part.root, root / "projects", copy_function=os.link, dirs_exist_ok=True)
        marker.write_text("complete\n")
    return datasets.DataSet(root=root / "projects", spec=spec)


def check_disk(
    entries: int,
    workdir: Path,
    cache: Path = datasets.DEFAULT_CACHE,
    long_history: bool = True,
) -> None:
    """Stop before hours of work if the disk cannot hold the runs: the history's, the
    N/10 reference's and, unless skipped, the long-history run's (the same entries
    re-dated, in a home and a JSONL copy of their own)."""
    histories = 1.0 + 0.1 + (1.0 if long_history else 0.0)
    needed = int(entries * histories * RUN_BYTES_PER_ENTRY)
    if not (_sharded_root(entries, cache) / ".complete").exists():
        # the history, and its re-dated copy for the long-history run
        needed += int(entries * (2 if long_history else 1) * JSONL_BYTES_PER_ENTRY)
    workdir.mkdir(parents=True, exist_ok=True)
    # an earlier run's homes are part of what `needed` counts: the run replaces them
    free = shutil.disk_usage(workdir).free + _own_bytes(workdir / f"run-{entries}")
    if free < needed:
        raise SystemExit(
            f"{entries:,} entries need about {needed / GIB:.0f} GiB free under {workdir} "
            f"(data, lakes, warehouses and dbt's spill of the runs); {free / GIB:.0f} GiB are. "
            "Use a --workdir on a larger disk, or --no-disk-check to run anyway."
        )


def _own_bytes(folder: Path) -> int:
    """Bytes that removing `folder` gives back: its files with no other link (the homes'
    JSONL is hard-linked from the data cache and frees nothing)."""
    total = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            stat = os.lstat(os.path.join(parent, name))
            if S_ISREG(stat.st_mode) and stat.st_nlink == 1:
                total += stat.st_blocks * 512
    return total


def refresh_runs(
    run_dir: Path, out: Path, done: dict[str, Measured], measured: dict[str, Measured]
) -> None:
    """The daily full refresh on each history the incremental runs left behind."""
    for label, key in (
        ("history", "daily_full_refresh"),
        ("reference", "reference_daily_full_refresh"),
    ):
        stage_label = f"{label}-daily-full-refresh"
        if stage_label in done:
            measured[key] = done[stage_label]
            continue
        home = run_dir / label
        env = stage_env(home, CLAUDE_LOGS_DIR=str(home / "projects"))
        measured[key] = run_stage(stage_label, "job", env, out, name="daily_full_refresh")


def stage_rows(measured: dict[str, Measured], entries: int) -> list[dict[str, Any]]:
    """Rows of the stage table for the refresh runs."""
    rows = []
    for key, count in (
        ("daily_full_refresh", entries),
        ("reference_daily_full_refresh", entries // 10),
    ):
        run = measured.get(key)
        seconds = run.wall_seconds if run is not None and run.ok else None
        rows.append(_row(f"daily full refresh on {count:,}", seconds, count, run))
    return rows


def step_rss(measured: dict[str, Measured]) -> list[dict[str, Any]]:
    """Every step of every run: its seconds and the peak RSS of the run's process tree
    while it ran (the Dagster process and dbt together), beside the run's largest process."""
    rows = []
    for key, run_name in RUNS.items():
        run = measured.get(key)
        if run is None or not run.ok:
            continue
        steps: dict[str, float] = run.result.get("steps", {})
        for step, seconds in steps.items():
            rows.append(
                {
                    "run": run_name,
                    "step": step,
                    "seconds": round(seconds, 3),
                    "tree_peak_rss_bytes": run.step_peak_rss_bytes.get(step),
                }
            )
        rows.append(
            {
                "run": run_name,
                "step": "(largest process of the run)",
                "seconds": round(run.wall_seconds, 3),
                "tree_peak_rss_bytes": run.peak_rss_bytes,
            }
        )
    return rows


def evaluate(measured: dict[str, Measured]) -> list[dict[str, Any]]:
    """The scale targets, as `targets.evaluate` writes its own."""
    full, reference = measured.get("full_run"), measured.get("reference_full_run")
    results = []
    if full and full.ok and reference and reference.ok:
        results.append(
            _target(
                "full run at N vs N/10 (s)",
                full.wall_seconds,
                FULL_RUN_GROWTH_FACTOR * reference.wall_seconds,
                f"11 x the N/10 full run ({reference.wall_seconds:.2f} s)",
            )
        )
    else:
        results.append(_target("full run at N vs N/10 (s)", None, None, "not available"))
    for prefix, size in (("", "N"), ("reference_", "N/10")):
        runs = [
            measured.get(prefix + key)
            for key in ("full_run", "incremental_run", "daily_full_refresh")
        ]
        peaks = [run.peak_rss_bytes for run in runs if run is not None and run.ok]
        results.append(
            _target(
                f"peak RSS of every run at {size} (GiB)",
                max(peaks) / GIB if len(peaks) == len(runs) else None,
                PEAK_RSS_LIMIT / GIB,
                "under 2 GiB: the largest process of the full, incremental and refresh runs",
            )
        )
    return results
