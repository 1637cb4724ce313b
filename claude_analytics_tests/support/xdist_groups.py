"""Tests that share a module-scoped fixture (a build, a server) run in one pytest-xdist worker,
which sets the fixture up once; every other test is scheduled on its own.

xdist's `--dist loadgroup` carries a test's `xdist_group` mark to the scheduler by appending
the group to the test's id, which pytest 9.2 no longer lets a plugin change: the groups are
silently ignored (pytest-dev/pytest-xdist#1386). So each worker writes the groups it
collected into the session's temporary root, and the scheduler `make test` uses (xdist's
LoadGroupScheduling, whose work units are the groups) reads them from there. When xdist
carries the groups itself, `pytest_xdist_make_scheduler` in conftest.py can go.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from xdist.scheduler import LoadGroupScheduling

from claude_analytics_tests.support.shared import session_root

FOLDER = "xdist-groups"


def _folder(config: pytest.Config) -> Path:
    return session_root(config._tmp_path_factory) / FOLDER  # type: ignore[attr-defined]


def record(config: pytest.Config, groups: dict[str, str]) -> None:
    """In a worker: the group of each grouped test, by test id (every worker collects the
    same tests, so any worker's file will do)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    folder = _folder(config)
    folder.mkdir(exist_ok=True)
    partial = folder / f".{worker}.json.partial"
    partial.write_text(json.dumps(groups))
    partial.replace(folder / f"{worker}.json")


class SharedFixtureScheduling(LoadGroupScheduling):
    """LoadGroupScheduling whose groups come from the workers' files, and whose work units
    are handed out in the workers' collection order (the slow ones first, conftest.py), not
    by their number of tests."""

    def __init__(self, config: pytest.Config, log=None) -> None:
        super().__init__(config, log)
        config.option.loadscopereorder = False
        self._groups: dict[str, str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        if self._groups is None:  # the workers have all collected by the first call
            self._groups = {}
            for path in sorted(_folder(self.config).glob("*.json")):
                self._groups.update(json.loads(path.read_text()))
        return self._groups.get(nodeid) or super()._split_scope(nodeid)
