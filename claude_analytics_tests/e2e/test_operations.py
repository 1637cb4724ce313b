"""The operator's commands on a real deployment: a small sample backfilled from Dagster's
own command line, then every README/RUNBOOK operation run against it.

The tests that only read the deployment share one module-scoped home (one CLI backfill
instead of one per test; its files are checked unchanged when the module ends). A test that
changes a deployment (a job, a backup and restore, a lost lake) owns a home: a copy of the
shared one when it does not write the lake (`copied_home`), else the sample built in process
and put back as built after it (`own_home`). So any test passes alone, and in any order.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from claude_analytics.cli import app
from claude_analytics.commands.backup import list_backups, warehouse_counts
from claude_analytics.commands.doctor import check_warehouse
from claude_analytics.commands.instance import ensure_dagster_home, get_instance
from claude_analytics.core.config import load_settings
from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from claude_analytics.core.lake import catalog as lake
from claude_analytics_tests.conftest import ISOLATED_VARIABLES, SMALL_SAMPLE, count_source_lines
from claude_analytics_tests.support.shared import read_only_fingerprint
from claude_analytics_tests.support.warehouse_build import BuiltWarehouse, build_env

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIRST = SMALL_SAMPLE.start
LAST = FIRST + timedelta(days=SMALL_SAMPLE.days)
NEW_ENTRIES = {"yesterday": 3, "today": 4}
LAKE_KEY = dg.AssetKey(["lake", "raw", "conversations"])


@dataclass(frozen=True)
class OpsHome:
    home: Path
    logs: Path
    env: dict[str, str]


def _run(command: list[str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=timeout
    )


def dagster(*args: str) -> subprocess.CompletedProcess[str]:
    return _run([str(BIN / "dagster"), *args])


def dg_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Dagster 1.13's `dg`, run from the project root as the README does."""
    return _run([str(BIN / "dg"), *args])


def cli(*args: str):
    """`claude-analytics ...` in process, wide enough that rich never wraps a number, nor a
    message after a temporary path (longer under pytest-xdist)."""
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "1000"})


def _home_env(root: Path, logs: Path) -> dict[str, str]:
    return {
        "CLAUDE_ANALYTICS_HOME": str(root / "home"),
        "DAGSTER_HOME": str(root / "home" / "dagster"),
        "CLAUDE_LOGS_DIR": str(logs),
        "HOME": str(root / "user_home"),
    }


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, small_sample_master: Path
) -> Iterator[OpsHome]:
    """The deployment the read-only tests share, backfilled from Dagster's command line."""
    root = tmp_path_factory.mktemp("ops")
    logs = root / "projects"
    shutil.copytree(small_sample_master, logs)
    env = _home_env(root, logs)
    with pytest.MonkeyPatch.context() as patch:
        for name in ISOLATED_VARIABLES:
            patch.delenv(name, raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        ensure_dagster_home(load_settings())
        # README: a date-window backfill from Dagster's command line, one run.
        result = dagster(
            "asset", "materialize", "-m", "claude_analytics.definitions",
            "--select", "not group:maintenance", "--partition-range", f"{FIRST}...{LAST}",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
    files = read_only_fingerprint(root)
    yield OpsHome(root / "home", logs, env)
    after = read_only_fingerprint(root)
    changed = sorted(name for name in set(files) | set(after) if files.get(name) != after.get(name))
    assert not changed, f"a test changed the shared deployment: {changed}"


@pytest.fixture
def ops_home(isolated_env: Path, deployment: OpsHome, monkeypatch: pytest.MonkeyPatch) -> OpsHome:
    """This test runs against the shared deployment, and only reads it."""
    for name, value in deployment.env.items():
        monkeypatch.setenv(name, value)
    return deployment


@pytest.fixture
def own_home(isolated_env: Path, sample_home: BuiltWarehouse) -> OpsHome:
    """A deployment of this test's own: the same sample and window, built in process (once
    for the tests that take one, and put back as built after each: conftest.sample_home)."""
    env = {**build_env(sample_home), "HOME": os.environ["HOME"]}
    return OpsHome(sample_home.home, sample_home.logs_dir, env)


@pytest.fixture
def copied_home(
    isolated_env: Path,
    deployment: OpsHome,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> OpsHome:
    """A copy of the shared deployment (home and logs), for a test that writes no lake: the
    copied lake catalog still names the deployment's data and metadata files, which such a
    test only reads, or deletes the copy of (the module's end check proves it)."""
    root = tmp_path_factory.mktemp("ops")
    shutil.copytree(deployment.home, root / "home")
    shutil.copytree(deployment.logs, root / "projects")
    env = _home_env(root, root / "projects")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return OpsHome(root / "home", root / "projects", env)


@pytest.fixture
def own_instance(
    isolated_env: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> OpsHome:
    """An empty home of this test's own: only a Dagster instance, as `make dev` sets it up."""
    root = tmp_path_factory.mktemp("ops")
    env = _home_env(root, root / "projects")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ensure_dagster_home(load_settings())
    return OpsHome(root / "home", root / "projects", env)


def _warehouse(sql: str) -> int:
    with duckdb.connect(str(load_settings().duckdb_path), read_only=True) as con:
        row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _all_warehouse_counts() -> dict[str, int]:
    with duckdb.connect(str(load_settings().duckdb_path), read_only=True) as con:
        return warehouse_counts(con)


def _lake_rows(identifier: str) -> int:
    table = lake.open_catalog(load_settings().lake_dir).load_table(identifier)
    return table.scan(selected_fields=("entry_id",)).to_arrow().num_rows


def _latest_source_date(root: Path) -> str:
    """The newest event date among the files, read with json, not with the platform's SQL."""
    entries = [
        json.loads(line)
        for path in root.rglob("*.jsonl")
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    days = [e["timestamp"][:10] for e in entries if isinstance(e.get("timestamp"), str)]
    return max(days)


def test_a_cli_backfill_is_one_run_that_fills_every_layer(ops_home: OpsHome) -> None:
    expected = count_source_lines(ops_home.logs)
    assert _lake_rows(lake.CONVERSATIONS) + _lake_rows(lake.DEAD_LETTERS) == expected
    assert _warehouse("select count(*) from raw.conversations") == expected
    assert _warehouse("select sum(entries) from marts.agg_daily_summary") == expected
    runs = get_instance(load_settings()).get_runs()
    assert len(runs) == 1
    assert runs[0].tags[PARTITION_RANGE_START_TAG] == FIRST.isoformat()
    assert runs[0].tags[PARTITION_RANGE_END_TAG] == LAST.isoformat()


def test_one_partition_from_the_cli_replaces_only_that_day(own_home: OpsHome) -> None:
    day = (FIRST + timedelta(days=1)).isoformat()
    before = _lake_rows(lake.CONVERSATIONS)
    result = dg_cli(
        "launch", "--assets", "lake/raw/conversations,lake/raw/dead_letters", "--partition", day
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert _lake_rows(lake.CONVERSATIONS) == before
    event = get_instance(load_settings()).get_latest_materialization_event(LAKE_KEY)
    assert event is not None and event.dagster_event.partition == day


def test_status_prints_the_runbook_freshness_figures(ops_home: OpsHome) -> None:
    result = cli("status")
    assert result.exit_code == 0, result.output
    total = count_source_lines(ops_home.logs)
    total_line = next(line for line in result.output.splitlines() if "total records" in line)
    assert f" {total:,} " in total_line
    assert _latest_source_date(ops_home.logs) in result.output
    assert "staging.stg_entries" in result.output
    assert "last extraction" in result.output and "never" not in result.output


def test_doctor_is_all_ok_after_a_run(ops_home: OpsHome) -> None:
    result = cli("doctor")
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output and "WARN" not in result.output
    files = len(list(ops_home.logs.rglob("*.jsonl")))
    assert f"{files} files" in result.output
    assert "not locked" in result.output


def test_doctor_names_the_process_holding_the_duckdb_lock(ops_home: OpsHome) -> None:
    path = load_settings().duckdb_path
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "time.sleep(120)", str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        check = check_warehouse(load_settings())
        assert check.status == "WARN"
        assert f"PID {holder.pid}" in check.detail
        status = cli("status")
        assert status.exit_code == 1
        assert f"PID {holder.pid}" in status.output
    finally:
        holder.kill()
        holder.wait()
    assert check_warehouse(load_settings()).status == "OK"


def test_doctor_fails_on_an_unreachable_mongodb_without_showing_the_password(
    ops_home: OpsHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once the socket closes
    monkeypatch.setenv(
        "MONGO_URI", f"mongodb://reader:s3cr3t-pw@127.0.0.1:{port}/?authSource=admin"
    )
    result = cli("doctor")
    assert result.exit_code == 1
    assert "FAIL" in result.output
    assert f"127.0.0.1:{port}" in result.output
    assert "s3cr3t-pw" not in result.output and "reader" not in result.output


def test_doctor_fails_on_a_missing_logs_directory(
    ops_home: OpsHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(ops_home.logs.parent / "missing"))
    result = cli("doctor")
    assert result.exit_code == 1
    assert "does not exist" in result.output


def _write_recent_entries(logs: Path) -> dict[str, str]:
    """A new transcript with entries dated yesterday and today (UTC)."""
    now = datetime.now(UTC)
    stamps = {
        "yesterday": now - timedelta(days=1),
        "today": now,
    }
    lines = []
    for label, count in NEW_ENTRIES.items():
        for i in range(count):
            lines.append(
                json.dumps(
                    {
                        "type": "user",
                        "uuid": f"recent-{label}-{i}",
                        "sessionId": "recent-session",
                        "timestamp": (stamps[label] - timedelta(seconds=i)).isoformat(),
                        "message": {"role": "user", "content": "hello"},
                    }
                )
            )
    path = logs / "recent-project" / "recent-session.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return {label: stamps[label].date().isoformat() for label in NEW_ENTRIES}


def test_the_hourly_job_loads_yesterday_and_today_and_leaves_older_days(own_home: OpsHome) -> None:
    before = _warehouse("select count(*) from raw.conversations")
    days = _write_recent_entries(own_home.logs)
    result = cli("run-job", "hourly_incremental")
    assert result.exit_code == 0, result.output
    added = sum(NEW_ENTRIES.values())
    assert _warehouse("select count(*) from raw.conversations") == before + added
    today = date.fromisoformat(days["today"])
    older = today - timedelta(days=1)
    assert _warehouse(f"select count(*) from raw.conversations where event_date = '{today}'") == 4
    assert (
        _warehouse(f"select count(*) from raw.conversations where event_date < '{older}'") == before
    )


def test_the_daily_full_refresh_runs_dbt_with_full_refresh_over_the_whole_warehouse(
    copied_home: OpsHome,
) -> None:
    result = cli("run-job", "daily_full_refresh", "--verbose")
    assert result.exit_code == 0, result.output
    assert "Completed successfully" in result.output  # --verbose streams dbt's own output
    raw = _warehouse("select count(*) from raw.conversations")
    assert _warehouse("select sum(entries) from marts.agg_daily_summary") == raw
    instance = get_instance(load_settings())
    run = instance.get_runs(filters=dg.RunsFilter(job_name="daily_full_refresh"), limit=1)[0]
    assert run.run_config["ops"]["dbt_models"]["config"]["full_refresh"] is True
    # unpartitioned: the models rebuild from every day the warehouse holds, without a window
    assert PARTITION_RANGE_START_TAG not in run.tags
    logs = instance.all_logs(run.run_id)
    assert any("--full-refresh" in (entry.user_message or "") for entry in logs)


def test_weekly_maintenance_runs_from_each_command_line(own_home: OpsHome) -> None:
    rows = _lake_rows(lake.CONVERSATIONS)
    assert cli("run-job", "weekly_maintenance").exit_code == 0
    result = dagster(
        "job", "execute", "-m", "claude_analytics.definitions", "-j", "weekly_maintenance"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    launched = dg_cli("launch", "--job", "weekly_maintenance")
    assert launched.returncode == 0, launched.stderr[-3000:]
    instance = get_instance(load_settings())
    records = instance.fetch_materializations(
        dg.AssetKey(["maintenance", "iceberg_snapshot_expiry"]), limit=10
    ).records
    assert len(records) == 3
    assert "conversations/all_files_after" in records[0].asset_materialization.metadata
    assert _lake_rows(lake.CONVERSATIONS) == rows


def test_backup_keeps_the_newest_and_restore_verifies_counts(copied_home: OpsHome) -> None:
    expected = _all_warehouse_counts()
    for _ in range(3):
        assert cli("backup", "--keep", "2").exit_code == 0
    backups = list_backups(load_settings())
    assert len(backups) == 2
    listing = cli("restore", "--list")
    assert all(b.name in listing.output for b in backups)

    load_settings().duckdb_path.unlink()
    restored = cli("restore")
    assert restored.exit_code == 0, restored.output
    assert "Row counts match" in restored.output
    assert _all_warehouse_counts() == expected

    manifest_path = backups[-1] / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["warehouse"]["relations"]["raw.conversations"] += 1
    manifest_path.write_text(json.dumps(manifest))
    assert cli("restore", backups[-1].name).exit_code == 1  # a count that differs is reported

    assert cli("restore", backups[0].name).exit_code == 0
    assert _all_warehouse_counts() == expected


def test_a_truncated_warehouse_is_reported_and_rebuilt_from_the_lake_alone(
    copied_home: OpsHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _all_warehouse_counts()
    path = load_settings().duckdb_path
    with path.open("r+b") as damaged:  # a full disk or a bad copy cut the file
        damaged.truncate(path.stat().st_size // 2)
    status = cli("status")
    assert status.exit_code == 1
    assert "cannot be read" in status.output and "PID None" not in status.output
    assert "claude-analytics rebuild" in status.output
    doctor = cli("doctor")
    assert doctor.exit_code == 1 and "moves it aside" in doctor.output
    # The source is gone too: the rebuild must not need it.
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(copied_home.logs.parent / "gone"))
    result = cli("rebuild")
    assert result.exit_code == 0, result.output
    assert _all_warehouse_counts() == expected
    [kept] = path.parent.glob(f"{path.name}.damaged-*")  # moved aside, not deleted
    assert kept.stat().st_size > 0


def test_restore_says_what_to_do_when_the_lakes_data_files_are_gone(own_home: OpsHome) -> None:
    assert cli("backup").exit_code == 0  # metadata only, the default
    data_dirs = sorted((load_settings().lake_dir / "warehouse").rglob("data"))
    assert data_dirs
    for folder in data_dirs:  # the lake's data files are lost
        folder.rename(folder.with_name("data.lost"))
    try:
        doctor = cli("doctor")
        assert doctor.exit_code == 1
        [row] = [line for line in doctor.output.splitlines() if "iceberg catalog" in line]
        assert "FAIL" in row and "missing" in doctor.output
        restored = cli("restore")
        assert restored.exit_code == 1
        message = " ".join(restored.output.split())
        assert "no longer exist" in message and "metadata only" in message
        assert "--with-lake-data" in message and "claude-analytics run" in message
        assert "No such file" not in message
    finally:
        for folder in data_dirs:
            folder.with_name("data.lost").rename(folder)
    assert cli("doctor").exit_code == 0


def test_everything_is_restored_from_the_source_after_losing_the_lake(
    copied_home: OpsHome,
) -> None:
    settings = load_settings()
    lake_before = {t: _lake_rows(t) for t in (lake.CONVERSATIONS, lake.DEAD_LETTERS)}
    warehouse_before = _all_warehouse_counts()
    shutil.rmtree(settings.lake_dir)
    result = cli("run")
    assert result.exit_code == 0, result.output
    assert {t: _lake_rows(t) for t in lake_before} == lake_before
    assert _all_warehouse_counts() == warehouse_before
    # one screen (with make's own lines), no warning; dbt's and Dagster's output in the log
    lines = result.output.splitlines()
    assert len(lines) <= 30, result.output
    assert "warning" not in result.output.lower()
    assert "extract → lake" in result.output and "dbt build" in result.output
    log = Path(next(line for line in lines if line.startswith("Log:")).split()[1])
    assert log.parent == settings.home / "logs"
    logged = log.read_text()
    assert "Completed successfully" in logged and "Completed successfully" not in result.output
    assert "dagster - INFO - full_pipeline" in logged


def test_schedules_are_listed_stopped_and_started_from_dagster_cli(
    own_instance: OpsHome,
) -> None:
    listed = dagster("schedule", "list", "-w", "workspace.yaml")
    assert listed.returncode == 0, listed.stderr[-3000:]
    for name in ("hourly_incremental", "daily_full_refresh", "weekly_maintenance"):
        assert f"Schedule: {name}_schedule [RUNNING]" in listed.stdout

    def state() -> str:
        instance = get_instance(load_settings())
        states = {s.name: s.status.value for s in instance.all_instigator_state()}
        return states.get("hourly_incremental_schedule", "DECLARED_IN_CODE")

    stop = dagster("schedule", "stop", "hourly_incremental_schedule", "-w", "workspace.yaml")
    assert stop.returncode == 0, stop.stderr[-3000:]
    assert state() == "STOPPED"
    start = dagster("schedule", "start", "hourly_incremental_schedule", "-w", "workspace.yaml")
    assert start.returncode == 0, start.stderr[-3000:]
    assert state() == "RUNNING"


def test_instance_commands_of_the_runbook(copied_home: OpsHome) -> None:
    pools = dagster("instance", "concurrency", "get", "--all")
    assert pools.returncode == 0, pools.stderr[-3000:]
    assert "duckdb_writer" in pools.stdout + pools.stderr
    info = dagster("instance", "info")
    assert info.returncode == 0 and "run_coordinator" in info.stdout.lower().replace(" ", "_")
    liveness = _run([str(BIN / "dagster-daemon"), "liveness-check"])
    assert liveness.returncode != 0  # no daemon runs here: the check must say so
    assert dagster("instance", "migrate").returncode == 0
    assert get_instance(load_settings()).get_runs_count() > 0
    wipe = dagster("run", "wipe", "--force")
    assert wipe.returncode == 0, wipe.stderr[-3000:]
    assert get_instance(load_settings()).get_runs_count() == 0
