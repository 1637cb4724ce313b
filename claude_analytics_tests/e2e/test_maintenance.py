"""Weekly maintenance on real Iceberg tables and a real DuckDB file, effects measured on disk."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pytest

from claude_analytics.commands.instance import get_instance
from claude_analytics.core.config import Settings, load_settings
from claude_analytics.core.contracts import ENTRY_SCHEMA
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.lake import maintenance
from claude_analytics.definitions import defs

TODAY = datetime.now(UTC).date()


def _rows(day: date, count: int, offset: int) -> pa.Table:
    moment = datetime.combine(day, datetime.min.time(), UTC)
    return pa.Table.from_pylist(
        [
            {
                "entry_id": f"e{offset + i}",
                "event_time": moment,
                "event_date": day,
                "raw_json": "{}",
            }
            for i in range(count)
        ],
        schema=ENTRY_SCHEMA,
    )


def _parquet_on_disk(table) -> tuple[int, int]:
    """Files and bytes under the table's data folder, counted on disk, not from metadata."""
    root = Path(table.location().removeprefix("file://")) / "data"
    files = [p for p in root.rglob("*.parquet")]
    return len(files), sum(p.stat().st_size for p in files)


@pytest.fixture
def fragmented_lake(isolated_env: Path):
    """Three appends to each of two recent days and one old day: 9 small files."""
    table = lake.ensure_table(lake.open_catalog(load_settings().lake_dir), lake.CONVERSATIONS)
    days = [TODAY - timedelta(days=1), TODAY, TODAY - timedelta(days=60)]
    for round_ in range(3):
        for index, day in enumerate(days):
            table.append(_rows(day, 4, offset=100 * index + 10 * round_))
    return table, days


def test_compaction_rewrites_recent_days_into_one_file_each(fragmented_lake) -> None:
    table, days = fragmented_lake
    assert _parquet_on_disk(table)[0] == 9
    result = maintenance.compact_recent_partitions(table, TODAY - timedelta(days=7))
    assert sorted(result.partitions_compacted) == sorted(d.isoformat() for d in days[:2])
    assert result.before.current_files == 9
    assert result.after.current_files == 1 + 1 + 3  # the old day keeps its three files
    assert table.scan().to_arrow().num_rows == 36
    assert sorted(table.scan().to_arrow()["entry_id"].to_pylist()) == sorted(
        f"e{100 * i + 10 * r + k}" for i in range(3) for r in range(3) for k in range(4)
    )


def test_expiry_keeps_the_newest_and_deletes_files_only_old_snapshots_used(
    fragmented_lake,
) -> None:
    table, _ = fragmented_lake
    maintenance.compact_recent_partitions(table, TODAY - timedelta(days=7))
    snapshots = len(table.metadata.snapshots)
    files_before, bytes_before = _parquet_on_disk(table)
    assert files_before == 11  # 9 appended + 2 compacted (the 6 replaced are still referenced)
    result = maintenance.expire_snapshots(
        table, datetime.now(UTC) + timedelta(seconds=1), keep_last=2
    )
    assert result.expired_snapshots == snapshots - 2
    assert len(table.metadata.snapshots) == 2
    files_after, bytes_after = _parquet_on_disk(table)
    assert files_after == result.after.all_files
    assert bytes_after == result.after.all_bytes
    assert files_after < files_before and bytes_after < bytes_before
    assert table.scan().to_arrow().num_rows == 36


def test_expiry_respects_the_age_limit(fragmented_lake) -> None:
    table, _ = fragmented_lake
    before = len(table.metadata.snapshots)
    result = maintenance.expire_snapshots(table, datetime.now(UTC) - timedelta(days=7), keep_last=1)
    assert result.expired_snapshots == 0 and result.deleted_files == 0
    assert len(table.metadata.snapshots) == before


def run_weekly_maintenance(settings: Settings) -> dg.ExecuteInProcessResult:
    """The weekly job with an expiry that keeps only the newest snapshot, whatever its age."""
    return (
        defs()
        .resolve_job_def("weekly_maintenance")
        .execute_in_process(
            instance=get_instance(settings),
            run_config={
                "ops": {
                    "maintenance__iceberg_snapshot_expiry": {
                        "config": {"older_than_days": 0, "keep_last": 1}
                    }
                }
            },
        )
    )


def test_weekly_maintenance_job_records_files_and_bytes(fragmented_lake) -> None:
    table, _ = fragmented_lake
    settings = load_settings()
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("create table t as select range as i from range(200000)")
    result = run_weekly_maintenance(settings)
    assert result.success
    compaction = result.asset_materializations_for_node("maintenance__iceberg_compaction")[0]
    assert compaction.metadata["conversations/current_files_before"].value == 9
    assert compaction.metadata["conversations/current_files_after"].value == 5
    assert compaction.metadata["conversations/partitions_compacted"].value == 2
    expiry = result.asset_materializations_for_node("maintenance__iceberg_snapshot_expiry")[0]
    assert expiry.metadata["conversations/snapshots_after"].value == 1
    assert expiry.metadata["conversations/all_files_after"].value == _parquet_on_disk(table)[0] == 5
    assert expiry.metadata["conversations/all_bytes_after"].value == _parquet_on_disk(table)[1]
    checkpoint = result.asset_materializations_for_node("maintenance__duckdb_checkpoint")[0]
    assert checkpoint.metadata["wal_bytes_after"].value == 0
    assert checkpoint.metadata["file_bytes_after"].value == settings.duckdb_path.stat().st_size
    assert checkpoint.metadata["total_blocks"].value > 0


def test_a_second_writer_queues_on_the_pool_instead_of_failing(isolated_env: Path) -> None:
    """A slot held by another run makes the DuckDB writer wait, then run once it is freed."""
    settings = load_settings()
    instance = get_instance(settings)
    storage = instance.event_log_storage
    # Apply dagster.yaml's default limit first, as the first real claim would: claiming on a
    # pool with no limit row yet gives a slot that the later initialisation does not keep.
    assert storage.initialize_concurrency_limit_to_default("duckdb_writer")
    assert storage.get_concurrency_info("duckdb_writer").slot_count == 1
    claim = storage.claim_concurrency_slot("duckdb_writer", "other-run", "other-step")
    assert claim.is_claimed
    job = defs().resolve_job_def("weekly_maintenance")
    outcome: dict[str, dg.ExecuteInProcessResult] = {}
    runner = threading.Thread(
        target=lambda: outcome.setdefault(
            "result",
            job.execute_in_process(
                instance=instance,
                asset_selection=[dg.AssetKey(["maintenance", "duckdb_checkpoint"])],
            ),
        )
    )
    runner.start()
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline
        and not storage.get_concurrency_info("duckdb_writer").pending_steps
    ):
        time.sleep(0.2)
    assert storage.get_concurrency_info("duckdb_writer").pending_steps, "the step never queued"
    time.sleep(1.0)
    assert runner.is_alive(), "the writer ran while another run held the pool"
    storage.free_concurrency_slots_for_run("other-run")
    runner.join(timeout=120)
    assert not runner.is_alive()
    assert outcome["result"].success
    assert settings.duckdb_path.exists()
