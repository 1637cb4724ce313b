"""Build the whole graph once for a test module, in its own temporary home.

The autouse `isolated_env` fixture is per test, but a full pipeline run costs ~20 s, so the
analytics tests build once per module under a MonkeyPatch context of their own and then
only read the finished DuckDB file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from claude_analytics.commands.instance import get_instance
from claude_analytics.commands.runner import run_full_pipeline
from claude_analytics.core.config import load_settings
from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG


@dataclass(frozen=True)
class BuiltWarehouse:
    home: Path
    logs_dir: Path
    duckdb_path: Path
    result: dg.ExecuteInProcessResult

    def rows(self, sql: str, parameters: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(sql, dict(parameters or {})).fetchall()

    def value(self, sql: str) -> Any:
        return self.rows(sql)[0][0]

    def check_results(self, result: dg.ExecuteInProcessResult | None = None) -> dict[str, Any]:
        """Every asset check evaluation of a run, by check name."""
        run = result or self.result
        return {
            evaluation.check_name: evaluation for evaluation in run.get_asset_check_evaluations()
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
    return BuiltWarehouse(home, logs_dir, home / "analytics.duckdb", result)


def seed_sample(home: Path, source: Path) -> Path:
    """Put `source` where the sample source finds an already generated sample."""
    sample = home / "sample"
    shutil.copytree(source, sample)
    (sample / ".complete").write_text("seeded by the tests\n")
    return sample
