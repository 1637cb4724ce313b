"""The full-stack instance (deploy/dagster.postgres.yaml) against a real PostgreSQL server.

The server is Debian's package (scripts/test-deps/postgresql.sh); the test starts a
throwaway cluster in a temporary folder on a free port and stops it afterwards. PostgreSQL
refuses to run as root, so as root the cluster belongs to the `postgres` user.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from claude_analytics.definitions import defs

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    database: str


def _bin_dir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    assert found, "PostgreSQL is not installed: run scripts/test-deps/postgresql.sh"
    return Path(found[-1]).parent


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="claude-analytics-pg-"))
    data = root / "data"
    password = secrets.token_hex(12)
    (root / "pw").write_text(password)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(root / "pw", "postgres")
    port = _free_port()
    server = PostgresServer("127.0.0.1", port, "dagster", password, "dagster")
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                server.user,
                f"--pwfile={root / 'pw'}",
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        admin = psycopg2.connect(
            host=server.host, port=port, user=server.user, password=password, dbname="postgres"
        )
        admin.autocommit = True  # CREATE DATABASE refuses to run inside a transaction
        admin.cursor().execute(f"create database {server.database}")
        admin.close()
        yield server
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_instance(
    postgres_server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dg.DagsterInstance]:
    home = tmp_path / "dagster_pg_home"
    home.mkdir()
    shutil.copyfile(REPO / "deploy" / "dagster.postgres.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for name, value in {
        "DAGSTER_PG_HOST": postgres_server.host,
        "DAGSTER_PG_PORT": str(postgres_server.port),
        "DAGSTER_PG_DB": postgres_server.database,
        "DAGSTER_PG_USER": postgres_server.user,
        "DAGSTER_PG_PASSWORD": postgres_server.password,
    }.items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance


def test_the_postgres_instance_stores_a_real_run(
    postgres_instance: dg.DagsterInstance, postgres_server: PostgresServer
) -> None:
    instance = postgres_instance
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert not instance.telemetry_enabled
    assert instance.get_concurrency_config().pool_config.default_pool_limit == 1

    result = defs().resolve_job_def("weekly_maintenance").execute_in_process(instance=instance)
    assert result.success

    with (
        psycopg2.connect(
            host=postgres_server.host,
            port=postgres_server.port,
            user=postgres_server.user,
            password=postgres_server.password,
            dbname=postgres_server.database,
        ) as con,
        con.cursor() as cursor,
    ):
        cursor.execute("select status, pipeline_name from runs where run_id = %s", (result.run_id,))
        assert cursor.fetchone() == ("SUCCESS", "weekly_maintenance")
        cursor.execute(
            "select count(*) from event_logs "
            "where run_id = %s and dagster_event_type = 'ASSET_MATERIALIZATION'",
            (result.run_id,),
        )
        assert cursor.fetchone()[0] == 3
        cursor.execute(
            "select count(*) from concurrency_slots where concurrency_key = 'duckdb_writer'"
        )
        assert cursor.fetchone()[0] == 1  # the run claimed the pool's one slot in PostgreSQL


def test_the_password_never_reaches_the_config_file(postgres_server: PostgresServer) -> None:
    text = (REPO / "deploy" / "dagster.postgres.yaml").read_text()
    assert postgres_server.password not in text
    assert "env: DAGSTER_PG_PASSWORD" in text
