"""One pipeline run for every serving test: the sample through every layer, then the serving assets.

A full run costs ~20 s, so the snapshot, dashboard and report tests share it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from claude_analytics_tests.conftest import SMALL_SAMPLE, isolate

FIRST = SMALL_SAMPLE.start
LAST = date.fromordinal(SMALL_SAMPLE.start.toordinal() + SMALL_SAMPLE.days)


@dataclass(frozen=True)
class Served:
    home: Path
    warehouse: Path
    snapshot: Path
    dashboard: Path


def materialize_serving(warehouse: Path) -> dg.ExecuteInProcessResult:
    """Rebuild the snapshot and the dashboard against the Dagster instance of the home."""
    from claude_analytics.commands.instance import get_instance
    from claude_analytics.core.config import load_settings
    from claude_analytics.defs.resource_types import HomeResource
    from claude_analytics.defs.serving.assets import analytics_snapshot_definition, dashboard

    settings = load_settings()
    return dg.materialize(
        [analytics_snapshot_definition(), dashboard],
        instance=get_instance(settings),
        resources={
            "duckdb": DuckDBResource(database=str(warehouse)),
            "home": HomeResource(directory=str(settings.home)),
        },
    )


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory, small_sample_master: Path) -> Iterator[Served]:
    from claude_analytics.commands.runner import run_full_pipeline
    from claude_analytics.core.config import load_settings
    from claude_analytics.core.serving.dashboard import dashboard_path
    from claude_analytics.core.serving.snapshot import snapshot_path
    from claude_analytics.definitions import defs

    root = tmp_path_factory.mktemp("served")
    with pytest.MonkeyPatch.context() as monkeypatch:
        home = isolate(monkeypatch, root)
        logs = root / "projects"
        shutil.copytree(small_sample_master, logs)
        monkeypatch.setenv("CLAUDE_LOGS_DIR", str(logs))
        settings = load_settings()
        assert run_full_pipeline(defs(), settings, FIRST, LAST).success
        assert materialize_serving(settings.duckdb_path).success
        yield Served(
            home=home,
            warehouse=settings.duckdb_path,
            snapshot=snapshot_path(settings),
            dashboard=dashboard_path(settings),
        )


def warehouse_rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql).fetchall()
