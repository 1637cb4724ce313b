"""ccusage, the tool our users run today, timed on the same files as the platform.

ccusage reads the JSONL under `$CLAUDE_CONFIG_DIR/projects` and prints exact daily tokens
and cost. It is installed from npm inside the benchmark, pinned: 20.0.26's linux-x64 native
package is not published, 20.0.24 is the newest that runs here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CCUSAGE_VERSION = "20.0.24"
TOKEN_FIELDS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")


@dataclass(frozen=True)
class CcusageRun:
    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    exit_code: int
    days: int
    totals: dict[str, float]
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "label": "ccusage",
            "stage": "ccusage daily --json --offline",
            "wall_seconds": self.wall_seconds,
            "cpu_seconds": self.cpu_seconds,
            "peak_rss_bytes": self.peak_rss_bytes,
            "exit_code": self.exit_code,
            "result": {"days": self.days, "totals": self.totals, "error": self.error},
        }


def install(prefix: Path) -> Path:
    """`npm install ccusage@VERSION` into `prefix` once; the binary's path."""
    binary = prefix / "node_modules" / ".bin" / "ccusage"
    marker = prefix / f".installed-{CCUSAGE_VERSION}"
    if binary.exists() and marker.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH: ccusage cannot be installed")
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(prefix),
            "--no-audit",
            "--no-fund",
            "--silent",
            f"ccusage@{CCUSAGE_VERSION}",
        ],
        check=True,
    )
    marker.write_text(CCUSAGE_VERSION + "\n")
    return binary


def daily_report(binary: Path, projects: Path, out: Path, *args: str) -> CcusageRun:
    """Run `ccusage daily --json --offline` over `projects` (the folder Claude Code calls
    `projects/`) in a child process and read its wall time, CPU time and peak RSS."""
    config_dir = projects.parent
    if projects.name != "projects":  # ccusage reads $CLAUDE_CONFIG_DIR/projects only
        config_dir = out.parent / f"ccusage-config-{projects.name}"
        config_dir.mkdir(parents=True, exist_ok=True)
        link = config_dir / "projects"
        if not link.exists():
            link.symlink_to(projects)
    # UTC days, like the platform's partitions (ccusage groups by the local zone otherwise)
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(config_dir), "TZ": "UTC", "NO_COLOR": "1"}
    command = [str(binary), "daily", "--json", "--offline", *args]
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    rss = usage.ru_maxrss * 1024
    if code != 0:
        error = out.with_suffix(".err").read_text(errors="replace")[-500:]
        return CcusageRun(wall, cpu, rss, code, 0, {}, error)
    report = json.loads(out.read_text())
    reported = report.get("totals", {})
    totals = {name: float(reported.get(name, 0)) for name in (*TOKEN_FIELDS, "totalCost")}
    return CcusageRun(wall, cpu, rss, code, len(report.get("daily", [])), totals)
