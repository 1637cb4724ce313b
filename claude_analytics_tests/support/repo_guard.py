"""Nothing a test does may write inside the repository, and nothing may change a build the
session shares read-only.

The session's controller (the only process of a plain run; xdist's controller, not its
workers) records every file of the repository (size and modification time) and every
folder before the first test, and compares when the last one is done. What the Python
interpreter and pytest write themselves is left out: `__pycache__` (bytecode, pytest's
rewritten test modules) and `.pytest_cache`, with the virtual environment, the shared
download cache and git's own folder; so are the committed snapshots a run with
UPDATE_SNAPSHOTS=1 is asked to rewrite.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claude_analytics_tests.support.shared import changed_shared_builds

IGNORED_FOLDERS = {".git", ".venv", ".cache", "__pycache__", ".pytest_cache", ".ruff_cache"}
SNAPSHOTS = ("claude_analytics_tests/defs/definitions_snapshot.json",)
SNAPSHOT = pytest.StashKey[dict[str, tuple[int, int] | None]]()


def is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def repo_state(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every file (size, mtime) and folder (None) under the repository, by relative path."""
    state: dict[str, tuple[int, int] | None] = {}
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if name not in IGNORED_FOLDERS)
        base = Path(folder)
        for name in folders:
            state[(base / name).relative_to(root).as_posix() + "/"] = None
        for name in files:
            path = base / name
            try:
                stat = path.lstat()
            except FileNotFoundError:  # removed while walking
                continue
            state[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return state


def record(config: pytest.Config) -> None:
    config.stash[SNAPSHOT] = repo_state(config.rootpath)


def verify(session: pytest.Session) -> None:
    config = session.config
    before = config.stash.get(SNAPSHOT, None)
    if before is None:
        return
    after = repo_state(config.rootpath)
    updating = SNAPSHOTS if os.environ.get("UPDATE_SNAPSHOTS") == "1" else ()
    written = sorted(
        name
        for name in set(before) | set(after)
        if before.get(name) != after.get(name) and name not in updating
    )
    factory = getattr(config, "_tmp_path_factory", None)
    changed = changed_shared_builds(factory.getbasetemp()) if factory is not None else []
    problems = []
    if written:
        problems.append(
            "tests wrote inside the repository (point the path at tmp_path instead):\n  "
            + "\n  ".join(written[:50])
        )
    if changed:
        problems.append(
            "tests changed a build the session shares read-only (copy it first):\n  "
            + "\n  ".join(changed[:50])
        )
    if not problems:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    message = "\n".join(problems)
    if reporter is not None:
        reporter.write_sep("=", "writes outside the tests' own temporary folders", red=True)
        reporter.write_line(message)
    else:
        print(message)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
