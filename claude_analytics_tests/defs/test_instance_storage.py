"""Commands started together on a new home share one Dagster storage schema."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from claude_analytics_tests.conftest import isolate

OPEN_INSTANCE = (
    "from claude_analytics.commands.instance import get_instance;"
    "from claude_analytics.core.config import load_settings;"
    "get_instance(load_settings()).dispose()"
)


def test_processes_opening_a_new_home_together_leave_one_schema_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = isolate(monkeypatch, tmp_path)
    processes = [
        subprocess.Popen([sys.executable, "-c", OPEN_INSTANCE], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    failures = [p.stderr.read().decode() for p in processes if p.wait() != 0 and p.stderr]
    assert not failures, failures
    databases = sorted((home / "dagster").rglob("*.db"))
    assert databases
    for database in databases:
        with sqlite3.connect(database) as con:
            tables = {name for (name,) in con.execute("select name from sqlite_master")}
            if "alembic_version" in tables:
                heads = con.execute("select count(*) from alembic_version").fetchone()[0]
                assert heads == 1, database
