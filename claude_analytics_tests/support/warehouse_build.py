"""Build the whole graph in a temporary home, and share a build between test processes.

The autouse `isolated_env` fixture is per test, but a full pipeline run costs ~20 s, so the
tests that only read a warehouse build it once (per module, or once per session for the
shared sample builds of conftest.py) under a MonkeyPatch context of their own and then only
read the finished files. Tests that change a build take it from a `PristineHome`: built
once, and put back as it was after each test.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from filelock import FileLock

from claude_analytics.commands.instance import get_instance
from claude_analytics.commands.runner import run_full_pipeline
from claude_analytics.core.config import load_settings
from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from claude_analytics_tests.support.shared import read_only_fingerprint, session_root


@dataclass(frozen=True)
class BuiltWarehouse:
    home: Path
    logs_dir: Path
    duckdb_path: Path
    run_id: str
    result: dg.ExecuteInProcessResult | None
    """The run in memory; None for a build shared between processes (see `built_once`)."""

    def rows(self, sql: str, parameters: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(sql, dict(parameters or {})).fetchall()

    def value(self, sql: str) -> Any:
        return self.rows(sql)[0][0]

    def check_results(self, result: dg.ExecuteInProcessResult | None = None) -> dict[str, Any]:
        """Every asset check evaluation of a run, by check name."""
        run = result or self.result
        if run is None:
            return self.stored_check_results()
        return {
            evaluation.check_name: evaluation for evaluation in run.get_asset_check_evaluations()
        }

    def stored_check_results(self) -> dict[str, Any]:
        """The build run's check evaluations as its Dagster instance recorded them."""
        with dg.DagsterInstance.from_config(str(self.home / "dagster")) as instance:
            records = instance.all_logs(
                self.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            )
        evaluations = [record.dagster_event.event_specific_data for record in records]
        return {evaluation.check_name: evaluation for evaluation in evaluations}


def build_env(built: BuiltWarehouse) -> dict[str, str]:
    """The variables that select a build: its home, Dagster's home, its logs directory."""
    return {
        "CLAUDE_ANALYTICS_HOME": str(built.home),
        "DAGSTER_HOME": str(built.home / "dagster"),
        "CLAUDE_LOGS_DIR": str(built.logs_dir),
    }


@contextmanager
def pipeline_env(home: Path, logs_dir: Path | None) -> Iterator[None]:
    """Environment of a run whose home and source are the given temporary paths; without a
    logs directory the source is the bundled sample (under the home)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLAUDE_ANALYTICS_HOME", str(home))
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.setenv("HOME", str(home / "user_home"))
        if logs_dir is None:
            patch.delenv("CLAUDE_LOGS_DIR", raising=False)
        else:
            patch.setenv("CLAUDE_LOGS_DIR", str(logs_dir))
        for variable in ("MONGO_URI", "DUCKDB_PATH", "MONGO_DB", "MONGO_COLLECTION"):
            patch.delenv(variable, raising=False)
        yield


def run_window(
    home: Path,
    logs_dir: Path | None,
    first: date,
    last: date,
    *,
    full_refresh: bool = False,
) -> dg.ExecuteInProcessResult:
    """One `full_pipeline` run over [first, last]; optionally with a dbt full refresh."""
    from claude_analytics.definitions import defs

    with pipeline_env(home, logs_dir):
        settings = load_settings()
        if not full_refresh:
            result = run_full_pipeline(defs(), settings, first, last)
        else:
            job = defs().resolve_job_def("full_pipeline")
            result = job.execute_in_process(
                run_config={"ops": {"dbt_models": {"config": {"full_refresh": True}}}},
                instance=get_instance(settings),
                tags={
                    PARTITION_RANGE_START_TAG: first.isoformat(),
                    PARTITION_RANGE_END_TAG: last.isoformat(),
                },
                raise_on_error=False,
            )
    assert result.success, "the full pipeline run failed"
    return result


def build(
    home: Path, source: Path, first: date, last: date, *, as_sample: bool = False
) -> BuiltWarehouse:
    """Copy `source` under `home` as the JSONL logs directory and build [first, last].

    `as_sample`: copy it where the bundled sample lives instead, so it is read as the
    sample is, a team's projects each stamped with its owner's user and machine.
    """
    if as_sample:
        logs_dir = seed_sample(home, source)
        result = run_window(home, None, first, last)
    else:
        logs_dir = home / "projects"
        shutil.copytree(source, logs_dir)
        result = run_window(home, logs_dir, first, last)
    return BuiltWarehouse(home, logs_dir, home / "analytics.duckdb", result.run_id, result)


def materialize_serving(warehouse: Path) -> dg.ExecuteInProcessResult:
    """Rebuild the snapshot and the dashboard against the Dagster instance of the home."""
    from dagster_duckdb import DuckDBResource

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


def seed_sample(home: Path, source: Path) -> Path:
    """Put `source` where the sample source finds an already generated sample."""
    sample = home / "sample"
    shutil.copytree(source, sample)
    (sample / ".complete").write_text("seeded by the tests\n")
    return sample


class PristineHome:
    """A build that tests may change, built once and put back after each of them.

    A home cannot be copied elsewhere and used there: the lake's catalog and metadata name
    their files by absolute path, so a copy's writes would land in the original's lake. So
    the build stays at the path it was built at, a copy of it is kept aside, and `checkout`
    restores that copy in place when the test ends. The tests sharing one run in one worker,
    one after the other (a module's group, or conftest.WORKER_BOUND).
    """

    def __init__(self, root: Path, build: Callable[[Path], BuiltWarehouse]) -> None:
        self.root = root
        self._build = build
        self._built: BuiltWarehouse | None = None
        self._copy = root.with_name(f"{root.name}.pristine")

    def built(self) -> BuiltWarehouse:
        """The build, made on first use; read-only users take it as it is."""
        if self._built is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._built = self._build(self.root)
            shutil.copytree(self.root, self._copy, symlinks=True)
        return self._built

    @contextmanager
    def checkout(self) -> Iterator[BuiltWarehouse]:
        """The build for a test that changes it, restored as built when the test ends."""
        built = self.built()
        try:
            yield built
        finally:
            shutil.rmtree(self.root)
            shutil.copytree(self._copy, self.root, symlinks=True)


def built_once(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    make: Callable[[Path], BuiltWarehouse],
) -> BuiltWarehouse:
    """`make(root)` run once for the whole session, whichever xdist worker asks first.

    pytest-xdist's documented pattern: the first worker builds under a file lock, the
    others wait for it and reuse the result. The build is shared read-only: its files'
    sizes and modification times are recorded (`read_only_fingerprint`) and checked again
    when the session ends (conftest.py). The in-memory run result stays in the process
    that built it, so every process reads the build's check results from its instance.
    """
    shared = session_root(tmp_path_factory)
    root = shared / f"shared-{name}"
    marker = root / "built.json"
    with FileLock(str(shared / f"shared-{name}.lock")):
        if not marker.exists():
            if root.exists():  # an earlier attempt failed half-way
                shutil.rmtree(root)
            root.mkdir()
            built = make(root)
            marker.write_text(
                json.dumps(
                    {
                        "home": str(built.home),
                        "logs_dir": str(built.logs_dir),
                        "duckdb_path": str(built.duckdb_path),
                        "run_id": built.run_id,
                        "files": read_only_fingerprint(root),
                    }
                )
            )
    stored = json.loads(marker.read_text())
    return BuiltWarehouse(
        Path(stored["home"]),
        Path(stored["logs_dir"]),
        Path(stored["duckdb_path"]),
        stored["run_id"],
        None,
    )
