"""What the processes of one pytest session share: its temporary root, and a check that
the builds shared there read-only were only read. Imports nothing heavier than the standard
library, so the unit tests' conftest stays light."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest


def session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder every process of this pytest session shares: the base temp of
    a plain run, its parent under pytest-xdist (each worker has a base temp of its own)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def read_only_fingerprint(root: Path) -> dict[str, list[int]]:
    """Size and modification time of every file under `root` but the lock files readers
    take (Dagster's storage lock, built.json itself)."""
    return {
        path.relative_to(root).as_posix(): [path.stat().st_size, path.stat().st_mtime_ns]
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix != ".lock" and path.name != "built.json"
    }


def changed_shared_builds(shared: Path) -> list[str]:
    """Files of the session's shared builds that differ from when they were built."""
    changed = []
    for marker in sorted(shared.glob("shared-*/built.json")):
        recorded = json.loads(marker.read_text())["files"]
        now = read_only_fingerprint(marker.parent)
        changed += [
            f"{marker.parent.name}/{name}"
            for name in sorted(set(recorded) | set(now))
            if recorded.get(name) != now.get(name)
        ]
    return changed
