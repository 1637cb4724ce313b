"""The code location loads, with the asset keys DESIGN.md fixes; its jobs, schedules, pools
and local instance are what the UI and the daemon will see; it wires the gates (which checks
block, freshness policies on raw and marts, the alert sensor, the redaction and lock-wait
resources); and with MONGO_URI set it binds the URI as an EnvVar, never as its value.

Every load test of the definitions lives here; test_definitions_snapshot.py records the
whole graph for review.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from claude_analytics.definitions import defs
from claude_analytics.defs.extract.assets import MONGODB_CONVERSATIONS
from claude_analytics.defs.partitions import PARTITION_START
from claude_analytics.defs.resource_types import QualityResource, WarehouseResource

REPO = Path(__file__).resolve().parents[2]

EXPECTED_KEYS = {
    dg.AssetKey(["source", "claude_code_logs"]),
    dg.AssetKey(["lake", "raw", "conversations"]),
    dg.AssetKey(["lake", "raw", "dead_letters"]),
    dg.AssetKey(["raw", "conversations"]),
    dg.AssetKey(["raw", "dead_letters"]),
    dg.AssetKey(["staging", "stg_entries"]),
    dg.AssetKey(["marts", "agg_daily_summary"]),
}


def test_definitions_load_with_every_layer() -> None:
    definitions = defs()
    dg.Definitions.validate_loadable(definitions)
    keys = set(definitions.resolve_all_asset_keys())
    assert keys >= EXPECTED_KEYS
    assert definitions.resolve_job_def("full_pipeline") is not None


def test_dbt_models_sit_downstream_of_the_warehouse_raw_table() -> None:
    graph = defs().resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["staging", "stg_entries"])).parent_keys
    assert dg.AssetKey(["raw", "conversations"]) in upstream


def test_writers_of_the_duckdb_file_share_one_pool() -> None:
    graph = defs().resolve_asset_graph()
    for key in (dg.AssetKey(["raw", "conversations"]), dg.AssetKey(["staging", "stg_entries"])):
        assert graph.get(key).pools == {"duckdb_writer"}


def test_prices_are_a_reference_asset_the_costs_depend_on() -> None:
    graph = defs().resolve_asset_graph()
    prices, matches = (
        dg.AssetKey(["reference", "model_prices"]),
        dg.AssetKey(["reference", "model_matches"]),
    )
    for key in (prices, matches):
        node = graph.get(key)
        assert node.group_name == "reference" and node.pools == {"duckdb_writer"}
        assert node.partitions_def is None
    assert dg.AssetKey(["raw", "conversations"]) in graph.get(matches).parent_keys
    costs = graph.get(dg.AssetKey(["intermediate", "int_token_costs"])).parent_keys
    assert {prices, matches} <= costs
    check = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_token_usage"]), "every_token_is_priced")
    assert check in graph.asset_check_keys
    assert graph.get_check_spec(check).blocking is False


def test_seeds_are_a_group_that_follows_the_raw_load() -> None:
    """A UI backfill of the lake and everything downstream takes the seeds along, in the one
    run of every dbt model (as roots they ran apart and split the models over several runs)."""
    graph = defs().resolve_asset_graph()
    seed = graph.get(dg.AssetKey(["seeds", "tool_categories"]))
    assert seed.group_name == "seeds"
    assert seed.parent_keys == {dg.AssetKey(["raw", "conversations"])}


def test_dg_check_defs_loads_the_code_location() -> None:
    """`dg check defs` from the project root, as the runbook runs it after a model change."""
    from claude_analytics.commands.instance import ensure_dagster_home
    from claude_analytics.core.config import load_settings

    ensure_dagster_home(load_settings())  # the home `make run` and `make dev` set up
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dg"), "check", "defs"],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "All definitions loaded successfully" in completed.stdout + completed.stderr
    assert "warning" not in (completed.stdout + completed.stderr).lower()


# Jobs, schedules, pools and the local instance (what the UI and the daemon will see).

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


# The gates: which checks block, freshness policies, the alert sensor, the resources.

LAKE = dg.AssetKey(["lake", "raw", "conversations"])
RAW = dg.AssetKey(["raw", "conversations"])


def test_gates_freshness_sensor_and_resources(monkeypatch) -> None:
    monkeypatch.setenv("CLAUDE_ANALYTICS_REDACT", "0")
    monkeypatch.setenv("CLAUDE_ANALYTICS_MAX_DEAD_LETTER_RATE", "0.02")
    definitions = defs()
    graph = definitions.resolve_asset_graph()

    blocking = {
        (key.asset_key, key.name): graph.get_check_spec(key).blocking
        for key in graph.asset_check_keys
        if key.asset_key in (LAKE, RAW)
    }
    assert blocking == {
        (LAKE, "batch_schema"): True,
        (LAKE, "source_parity"): True,
        (LAKE, "dead_letter_rate"): True,
        (LAKE, "schema_drift"): False,
        (RAW, "matches_lake"): True,
        # dbt's tests on the raw.conversations source, shown on the asset that loads it;
        # dbt skips the models after them itself (blocking, they would hold the price matches)
        (RAW, "source_unique_raw_conversations_entry_id"): False,
        (RAW, "source_not_null_raw_conversations_entry_id"): False,
    }

    # dbt's key-guarding tests arrive as blocking checks (error severity)
    key_tests = [
        key
        for key in graph.asset_check_keys
        if key.name.startswith(("unique_", "not_null_", "relationships_"))
    ]
    assert any(key.name == "unique_stg_entries_entry_id" for key in key_tests)
    assert all(graph.get_check_spec(key).blocking for key in key_tests)

    marts = [key for key in graph.get_all_asset_keys() if key.path[0] == "marts"]
    assert marts
    for key in [LAKE, RAW, *marts]:
        policy = graph.get(key).freshness_policy
        assert policy is not None, key
        assert policy.fail_window.to_timedelta() == timedelta(hours=6)
        assert policy.warn_window.to_timedelta() == timedelta(hours=2)

    sensor = definitions.resolve_sensor_def("alert_on_run_failure")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    # no MONGO_URI here: the MongoDB sensor would only skip, so it starts stopped
    mongo_sensor = definitions.resolve_sensor_def("mongodb_new_documents")
    assert mongo_sensor.default_status == dg.DefaultSensorStatus.STOPPED

    resources = definitions.resources
    assert isinstance(resources["duckdb"], WarehouseResource)
    assert resources["quality"] == QualityResource(redact=False, max_dead_letter_rate=0.02)


# With MONGO_URI set: the URI is bound as an EnvVar, never as its value.

SECRET_URI = "mongodb://alice:do-not-show@db.internal:27017/"


def test_mongodb_definitions_bind_the_uri_by_name(monkeypatch) -> None:
    monkeypatch.setenv("MONGO_URI", SECRET_URI)
    from claude_analytics.definitions import defs

    definitions = defs()
    mongo = definitions.resources["mongo"]
    assert isinstance(mongo.uri, dg.EnvVar) and mongo.uri.env_var_name == "MONGO_URI"
    assert "do-not-show" not in repr(definitions.resources["source"])
    sensor = definitions.resolve_sensor_def("mongodb_new_documents")
    assert sensor.job_name == "full_pipeline"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    graph = definitions.resolve_asset_graph()
    assert graph.get(MONGODB_CONVERSATIONS).is_external
    with definitions.resources["source"].process_config_and_initialize_cm() as source:
        assert source.open().describe() == (
            "MongoDB claude_logs.conversations at mongodb://db.internal:27017"
        )
