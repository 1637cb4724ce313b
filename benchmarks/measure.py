"""Run one stage in a child process and read its wall time, CPU time and peak RSS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.rss import TreeSampler, step_peaks

REPO = Path(__file__).resolve().parents[1]

# Variables that choose a source or a path: a stage sees only what the benchmark sets.
_SOURCE_VARIABLES = ("CLAUDE_LOGS_DIR", "MONGO_URI", "MONGO_DB", "MONGO_COLLECTION", "DUCKDB_PATH")


@dataclass
class Measured:
    """One child process: what it reported and what the kernel accounted for it.

    `peak_rss_bytes` comes from wait4, so it covers the child and every process it waited
    for (dbt runs as a grandchild of the pipeline and is included).
    """

    label: str
    stage: str
    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    exit_code: int
    result: dict[str, Any] = field(default_factory=dict)
    step_peak_rss_bytes: dict[str, int] = field(default_factory=dict)
    """Per step of a run: the largest sampled RSS of the stage's process tree (rss.py)."""
    rss_samples: list[tuple[float, int]] = field(default_factory=list, repr=False)
    """(time, bytes) of the process tree while it ran; not kept in the JSON."""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.result.get("success", True) is not False

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "rss_samples"}


def stage_env(home: Path, **variables: str | None) -> dict[str, str]:
    """The environment of a stage: its own home and Dagster home, and the given source."""
    env = {k: v for k, v in os.environ.items() if k not in _SOURCE_VARIABLES}
    env = {k: v for k, v in env.items() if not k.startswith("PYICEBERG_CATALOG__")}
    env["CLAUDE_ANALYTICS_HOME"] = str(home)
    env["DAGSTER_HOME"] = str(home / "dagster")
    env.update({k: v for k, v in variables.items() if v is not None})
    return env


def run_stage(
    label: str, stage: str, env: dict[str, str], out_dir: Path, **arguments: str
) -> Measured:
    """Start `python -m benchmarks.stages STAGE`, wait for it, and collect its figures."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result_path = out_dir / f"{label}.json"
    result_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "benchmarks.stages", stage, "--out", str(result_path)]
    for name, value in arguments.items():
        command += [f"--{name}", value]
    measured = run_command(label, stage, command, env, out_dir, cwd=REPO)
    measured.result = json.loads(result_path.read_text()) if result_path.exists() else {}
    measured.step_peak_rss_bytes = step_peaks(
        measured.rss_samples, measured.result.get("step_windows", {})
    )
    _record(measured, out_dir)
    return measured


def run_command(
    label: str,
    stage: str,
    command: list[str],
    env: dict[str, str],
    out_dir: Path,
    cwd: Path = REPO,
    record: bool = False,
) -> Measured:
    """Run any command as a child, its output in `<label>.log`, and account for it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / f"{label}.log", "wb") as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = TreeSampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop()
    measured = Measured(
        label=label,
        stage=stage,
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports kilobytes
        exit_code=os.waitstatus_to_exitcode(status),
        rss_samples=sampler.samples,
    )
    if record:
        _record(measured, out_dir)
    return measured


def _record(measured: Measured, out_dir: Path) -> None:
    """Kept as each stage ends, so a long run that is stopped still has its figures."""
    with open(out_dir / "measured.jsonl", "a") as progress:
        progress.write(json.dumps(measured.to_json(), default=str) + "\n")
