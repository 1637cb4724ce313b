"""Memory of a stage's process tree over time, so each step of a run gets its own peak.

`wait4` gives one peak per process, but a pipeline run is one process for every step (and
dbt a child of it): to say which step needs the memory, the parent samples the resident
set of the whole tree (the stage, dbt and any other child) while the stage runs, and each
step's peak is the largest sample between its start and end.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
INTERVAL_SECONDS = 0.2


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # the command name (field 2) may hold spaces; the fields after its ')' do not
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and every descendant, now."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, ()))
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


class TreeSampler(threading.Thread):
    """Samples `tree_rss(pid)` every INTERVAL_SECONDS until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append((time.time(), tree_rss(self.pid)))
            self._stop_event.wait(INTERVAL_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def step_peaks(samples: list[tuple[float, int]], windows: dict[str, list[float]]) -> dict[str, int]:
    """Each step's peak: the largest sample inside the [start, end] the stage reported."""
    peaks = {}
    for step, (start, end) in windows.items():
        inside = [rss for moment, rss in samples if start <= moment <= end]
        if inside:
            peaks[step] = max(inside)
    return peaks
