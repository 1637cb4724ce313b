"""Jobs, schedules, pools and the local instance: what the UI and the daemon will see."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pytest

from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from claude_analytics.definitions import defs
from claude_analytics.defs.partitions import PARTITION_START

REPO = Path(__file__).resolve().parents[1]
SCHEDULES = {
    "hourly_incremental_schedule": ("hourly_incremental", "5 * * * *"),
    "daily_full_refresh_schedule": ("daily_full_refresh", "0 2 * * *"),
    "weekly_maintenance_schedule": ("weekly_maintenance", "0 3 * * 0"),
}
NOW = datetime(2026, 3, 10, 14, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return defs()


def _executable(definitions: dg.Definitions) -> dict[str, dg.AssetsDefinition]:
    return {
        key.to_user_string(): asset
        for asset in definitions.assets or []
        if isinstance(asset, dg.AssetsDefinition) and asset.is_executable
        for key in asset.keys
    }


def test_every_schedule_targets_its_job_and_starts_running(definitions: dg.Definitions) -> None:
    schedules = {s.name: s for s in definitions.schedules or []}
    assert set(SCHEDULES) <= set(schedules)
    for name, (job, cron) in SCHEDULES.items():
        schedule = schedules[name]
        assert schedule.job_name == job
        assert schedule.cron_schedule == cron
        assert schedule.execution_timezone == "UTC"
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def _tick(definitions: dg.Definitions, name: str) -> dg.RunRequest:
    schedule = definitions.resolve_schedule_def(name)
    with dg.build_schedule_context(scheduled_execution_time=NOW) as context:
        requests = schedule.evaluate_tick(context).run_requests or []
    assert len(requests) == 1
    return requests[0]


def test_hourly_tick_covers_yesterday_and_today(definitions: dg.Definitions) -> None:
    request = _tick(definitions, "hourly_incremental_schedule")
    assert request.tags[PARTITION_RANGE_START_TAG] == "2026-03-09"
    assert request.tags[PARTITION_RANGE_END_TAG] == "2026-03-10"
    job = definitions.resolve_job_def("hourly_incremental")
    keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {"lake/raw/conversations", "raw/conversations", "marts/agg_daily_summary"} <= keys
    assert not any(k.startswith("maintenance/") for k in keys)


def test_daily_tick_fully_refreshes_every_dbt_model_then_serving(
    definitions: dg.Definitions,
) -> None:
    request = _tick(definitions, "daily_full_refresh_schedule")
    # Unpartitioned: the models rebuild from the whole warehouse, whatever its span.
    assert PARTITION_RANGE_START_TAG not in request.tags
    assert PARTITION_RANGE_END_TAG not in request.tags
    assert request.partition_key is None
    assert request.run_config == {"ops": {"dbt_models": {"config": {"full_refresh": True}}}}
    job = definitions.resolve_job_def("daily_full_refresh")
    keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert keys == {
        k
        for k in _executable(definitions)
        if k.split("/")[0] in ("reference", "staging", "intermediate", "marts", "serving")
    }
    assert job.partitions_def is None
    assert job.run_config == {"ops": {"dbt_models": {"config": {"full_refresh": True}}}}


def test_pipeline_jobs_report_their_own_asset_events(definitions: dg.Definitions) -> None:
    """Dagster's per-day bookkeeping would grow with a window's calendar, not its data."""
    from claude_analytics.defs.asset_events import OWN_EVENTS_TAG

    for name in (
        "full_pipeline",
        "hourly_incremental",
        "daily_full_refresh",
        "warehouse_from_lake",
    ):
        assert definitions.resolve_job_def(name).tags[OWN_EVENTS_TAG] == "true", name
    assert OWN_EVENTS_TAG not in definitions.resolve_job_def("weekly_maintenance").tags


def test_only_the_lake_and_the_raw_tables_are_partitioned(definitions: dg.Definitions) -> None:
    partitioned = {
        key for key, asset in _executable(definitions).items() if asset.partitions_def is not None
    }
    assert partitioned == {
        "lake/raw/conversations",
        "lake/raw/dead_letters",
        "raw/conversations",
        "raw/dead_letters",
    }
    for name in ("full_pipeline", "hourly_incremental", "daily_full_refresh"):
        assert definitions.resolve_job_def(name).executor_def.name == "in_process", name


def test_weekly_maintenance_job_holds_the_three_maintenance_assets(
    definitions: dg.Definitions,
) -> None:
    job = definitions.resolve_job_def("weekly_maintenance")
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {
        "maintenance/iceberg_compaction",
        "maintenance/iceberg_snapshot_expiry",
        "maintenance/duckdb_checkpoint",
    }
    assert job.partitions_def is None


def test_writers_share_pools_and_partitioned_assets_backfill_in_one_run(
    definitions: dg.Definitions,
) -> None:
    assets = _executable(definitions)
    for key, asset in assets.items():
        layer = key.split("/")[0]
        if (
            layer in ("raw", "staging", "intermediate", "marts")
            or key == "maintenance/duckdb_checkpoint"
        ):
            assert asset.op.pool == "duckdb_writer", key
        if layer == "lake" or key.startswith("maintenance/iceberg"):
            assert asset.op.pool == "iceberg_writer", key
        if asset.partitions_def is not None:
            assert asset.backfill_policy == dg.BackfillPolicy.single_run(), key


def test_local_instance_is_sqlite_under_dagster_home_with_one_slot_pools(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert Path(instance.root_directory) == home
        assert not instance.telemetry_enabled
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        pools = instance.get_concurrency_config().pool_config
        assert pools.default_pool_limit == 1
        info = instance.event_log_storage.get_concurrency_info("duckdb_writer")
        assert info.limit == 1


def test_partition_windows_of_the_schedules() -> None:
    from claude_analytics.defs.schedules import hourly_window

    assert hourly_window(NOW) == (date(2026, 3, 9), date(2026, 3, 10))
    assert hourly_window(datetime(2025, 1, 1, 0, 5, tzinfo=UTC)) == (
        PARTITION_START,
        PARTITION_START,
    )
