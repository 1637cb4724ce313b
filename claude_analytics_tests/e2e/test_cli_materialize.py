"""`dagster asset materialize` as a user types it, in a subprocess, on one partition."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb

from claude_analytics.core.config import load_settings
from claude_analytics_tests.conftest import SMALL_SAMPLE, entries_by_event_date

DAY = SMALL_SAMPLE.start + timedelta(days=2)
REPO = Path(__file__).resolve().parents[2]


def test_dagster_asset_materialize_one_partition(small_sample: Path, isolated_env: Path) -> None:
    dagster_home = Path(os.environ["DAGSTER_HOME"])
    dagster_home.mkdir(parents=True)
    shutil.copyfile(REPO / "deploy" / "dagster.yaml", dagster_home / "dagster.yaml")
    dagster = Path(sys.executable).parent / "dagster"

    completed = subprocess.run(
        [
            str(dagster),
            "asset",
            "materialize",
            "-m",
            "claude_analytics.definitions",
            "--select",
            "*",
            "--partition",
            DAY.isoformat(),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-4000:]
    assert "RUN_SUCCESS" in completed.stderr + completed.stdout
    expected = entries_by_event_date(small_sample)[DAY]
    with duckdb.connect(str(load_settings().duckdb_path), read_only=True) as con:
        by_day = dict(
            con.execute("select event_date, count(*) from raw.conversations group by 1").fetchall()
        )
        daily = dict(
            con.execute("select event_date, entries from marts.agg_daily_summary").fetchall()
        )
    assert by_day == {DAY: expected}
    assert daily == {DAY: expected}
