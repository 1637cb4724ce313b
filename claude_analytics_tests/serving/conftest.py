"""The serving tests read the session's shared JSONL build (conftest.py `jsonl_warehouse`):
the sample through every layer, then the serving assets once more.

A full run costs ~20 s, so the snapshot, dashboard and report tests share it, read-only: a
test that rebuilds the snapshot copies the warehouse and the Dagster home first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from claude_analytics_tests.conftest import isolate
from claude_analytics_tests.support.warehouse_build import (
    BuiltWarehouse,
    materialize_serving,
    pipeline_env,
)

__all__ = ["Served", "isolate", "materialize_serving", "warehouse_rows"]


@dataclass(frozen=True)
class Served:
    home: Path
    warehouse: Path
    snapshot: Path
    dashboard: Path


@pytest.fixture(scope="session")
def served(jsonl_warehouse: BuiltWarehouse) -> Served:
    from claude_analytics.core.config import load_settings
    from claude_analytics.core.serving.dashboard import dashboard_path
    from claude_analytics.core.serving.snapshot import snapshot_path

    with pipeline_env(jsonl_warehouse.home, jsonl_warehouse.logs_dir):
        settings = load_settings()
    return Served(
        home=jsonl_warehouse.home,
        warehouse=settings.duckdb_path,
        snapshot=snapshot_path(settings),
        dashboard=dashboard_path(settings),
    )


def warehouse_rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql).fetchall()
