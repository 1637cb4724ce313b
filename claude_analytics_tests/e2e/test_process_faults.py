"""Faults from other processes: a lake writer killed mid-commit, a foreign DuckDB writer.

Both use real components in real processes: the killed writer is a Python subprocess
running the same `lake.replace_window` the lake asset runs; the lock holder is a
subprocess with an open DuckDB write connection.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pytest

from claude_analytics.core.config import load_settings
from claude_analytics.core.contracts import DateWindow
from claude_analytics.core.ingest.parse import parse_batch
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.sources.jsonl import JsonlDirectorySource
from claude_analytics.core.warehouse.locks import WarehouseLockedError
from claude_analytics.defs.lake.assets import lake_raw
from claude_analytics.defs.partitions import partition_bounds
from claude_analytics.defs.resource_types import LakeResource, QualityResource, WarehouseResource
from claude_analytics.defs.resources import source_resource
from claude_analytics.defs.warehouse.assets import warehouse_raw
from claude_analytics_tests.conftest import SMALL_SAMPLE
from claude_analytics_tests.e2e.test_lock_waits import lock_waits

WINDOW = DateWindow(SMALL_SAMPLE.start, SMALL_SAMPLE.start + timedelta(days=SMALL_SAMPLE.days + 1))
DAY = SMALL_SAMPLE.start + timedelta(days=1)

# The subprocess stages a full replacement of the window (delete + append of every entry),
# says so, then waits inside the open transaction until it is killed.
KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from pathlib import Path
    from claude_analytics.core.lake import catalog as lake
    from claude_analytics_tests.e2e.test_process_faults import window_entries

    table = lake.ensure_table(lake.open_catalog(Path(sys.argv[1])), lake.CONVERSATIONS)

    def batches():
        yield window_entries(Path(sys.argv[2]))
        print("staged", flush=True)
        time.sleep(600)

    start, end = (date.fromisoformat(day) for day in sys.argv[3:5])
    lake.replace_window(table, start, end, batches())
    """
)


def window_entries(root: Path) -> pa.Table:
    first, end = partition_bounds()
    tables = [
        parse_batch(
            batch,
            WINDOW,
            inherit_file_time=True,
            run_id="test",
            partition_start=first,
            partition_end=end,
        ).entries
        for batch in JsonlDirectorySource(root).iter_batches(WINDOW)
    ]
    return pa.concat_tables(tables)


def _table_state(lake_dir: Path) -> tuple[int | None, int, list[str]]:
    table = lake.open_catalog(lake_dir).load_table(lake.CONVERSATIONS)
    snapshot = table.current_snapshot()
    rows = table.scan(selected_fields=("entry_id",)).to_arrow()
    return (
        snapshot.snapshot_id if snapshot else None,
        rows.num_rows,
        sorted(rows["entry_id"].to_pylist()),
    )


def test_a_lake_writer_killed_mid_transaction_leaves_the_table_unchanged(
    small_sample: Path,
) -> None:
    lake_dir = load_settings().lake_dir
    entries = window_entries(small_sample)
    # the table before: only the first half of the entries
    half = entries.slice(0, entries.num_rows // 2)
    table = lake.ensure_table(lake.open_catalog(lake_dir), lake.CONVERSATIONS)
    lake.replace_window(table, WINDOW.start, WINDOW.end, [half])
    before = _table_state(lake_dir)
    assert before[1] == half.num_rows
    files_before = set((lake_dir / "warehouse").rglob("*.parquet"))

    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(lake_dir), str(small_sample),
         WINDOW.start.isoformat(), WINDOW.end.isoformat()],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )  # fmt: skip
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "staged"
        # the data file of the staged append is on disk: the kill lands mid-write
        assert set((lake_dir / "warehouse").rglob("*.parquet")) - files_before
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL

    assert _table_state(lake_dir) == before

    rerun = lake.replace_window(
        lake.open_catalog(lake_dir).load_table(lake.CONVERSATIONS),
        WINDOW.start,
        WINDOW.end,
        [entries],
    )
    snapshot_id, rows, entry_ids = _table_state(lake_dir)
    assert rerun.rows == rows == entries.num_rows == SMALL_SAMPLE.entries
    assert entry_ids == sorted(entries["entry_id"].to_pylist())


def _hold_write_lock(database: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "con.execute('create table if not exists held_by_other (x int)')\n"
            "print('locked', flush=True)\n"
            "time.sleep(600)\n",
            str(database),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _resources(database: Path, retries: int, wait: float) -> dict[str, object]:
    settings = load_settings()
    return {
        "source": source_resource(settings),
        "lake_catalog": LakeResource(home=str(settings.home)),
        "quality": QualityResource(),
        "duckdb": WarehouseResource(
            database=str(database), lock_retries=retries, lock_wait_seconds=wait
        ),
    }


def test_a_foreign_duckdb_writer_makes_the_run_wait_then_fail_clearly(small_sample: Path) -> None:
    database = load_settings().duckdb_path
    database.parent.mkdir(parents=True, exist_ok=True)
    holder = _hold_write_lock(database)
    instance = dg.DagsterInstance.ephemeral()
    try:
        started = time.monotonic()
        result = dg.materialize(
            [lake_raw, warehouse_raw],
            resources=_resources(database, retries=3, wait=0.25),
            partition_key=DAY.isoformat(),
            raise_on_error=False,
            instance=instance,
        )
        waited = time.monotonic() - started
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)

    assert result.get_failed_step_keys() == {"warehouse_raw"}
    [failure] = result.get_step_failure_events()
    error = failure.event_specific_data.error
    while error is not None and error.cls_name != "WarehouseLockedError":
        error = error.cause
    assert error is not None, "the step did not fail on the lock"
    message = error.message
    assert str(database) in message
    assert "locked by another process" in message
    assert "gave up after 4 attempts" in message
    assert waited >= 0.25 + 0.5 + 1.0
    # the run log says who holds the file while it waits, once per attempt
    waits = lock_waits(instance, result.run_id)
    assert len(waits) == 3 and str(holder.pid) in waits[0]

    # the file is intact: the other process's committed table survived, and a rerun loads
    # the day exactly
    rerun = dg.materialize(
        [warehouse_raw],
        resources=_resources(database, retries=0, wait=0.1),
        partition_key=DAY.isoformat(),
    )
    assert rerun.success
    lake_rows = lake.count_window(
        lake.open_catalog(load_settings().lake_dir).load_table(lake.CONVERSATIONS),
        DAY,
        DAY + timedelta(days=1),
    )
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from held_by_other").fetchone() == (0,)
        assert con.execute(
            "select count(*) from raw.conversations where event_date = $1", [DAY]
        ).fetchone() == (lake_rows,)
    assert lake_rows > 0


def test_only_lock_conflicts_are_retried(tmp_path: Path) -> None:
    not_a_database = tmp_path / "not.duckdb"
    not_a_database.write_bytes(b"this is not a duckdb file" * 100)
    started = time.monotonic()
    with (
        pytest.raises(duckdb.Error) as raised,
        WarehouseResource(database=str(not_a_database), lock_wait_seconds=5.0).get_connection(),
    ):
        pass
    assert not isinstance(raised.value, WarehouseLockedError)
    assert time.monotonic() - started < 5.0
