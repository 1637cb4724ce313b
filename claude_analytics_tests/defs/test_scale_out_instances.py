"""The scaled-out instances in deploy/: the Docker and Kubernetes run launchers on PostgreSQL.

Each file goes through the validation Dagster applies when it loads an instance: the
instance schema (with every `env:` resolved), then the run launcher's own config schema.
Dagster exposes no public validator short of instantiating the instance, and the K8s
launcher connects to a cluster when instantiated, so the two private functions
`DagsterInstance.from_config` runs first are used. The Docker file is then loaded for real,
on the PostgreSQL test server (creating the launcher needs no Docker engine).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._config import process_config, resolve_to_config_type
from dagster._core.instance.config import dagster_instance_config
from dagster_docker import DockerRunLauncher
from dagster_k8s import K8sRunLauncher

from claude_analytics_tests.e2e.test_postgres_instance import (  # noqa: F401 - the fixture
    PostgresServer,
    postgres_server,
)
from claude_analytics_tests.support.seaweedfs import SeaweedLake

REPO = Path(__file__).resolve().parents[2]
LAUNCHERS = {"dagster.docker.yaml": DockerRunLauncher, "dagster.k8s.yaml": K8sRunLauncher}
SITE = {"DAGSTER_DOCKER_NETWORK": "claude-analytics_default", "DAGSTER_K8S_NAMESPACE": "analytics"}


def _home(tmp_path: Path, name: str) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO / "deploy" / name, home / "dagster.yaml")
    return home


def _postgres_env(monkeypatch: pytest.MonkeyPatch, server: PostgresServer) -> None:
    for name, value in {
        "DAGSTER_PG_HOST": server.host,
        "DAGSTER_PG_PORT": str(server.port),
        "DAGSTER_PG_DB": server.database,
        "DAGSTER_PG_USER": server.user,
        "DAGSTER_PG_PASSWORD": server.password,
        **SITE,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("name", sorted(LAUNCHERS))
def test_each_instance_file_passes_dagsters_validation(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = PostgresServer("db.internal", 5432, "dagster", "not-a-real-password", "dagster")
    _postgres_env(monkeypatch, server)
    config, custom_instance_class = dagster_instance_config(str(_home(tmp_path, name)))
    assert custom_instance_class is None
    launcher = LAUNCHERS[name]
    section = config["run_launcher"]
    assert (section["class"], launcher.__module__.startswith(section["module"])) == (
        launcher.__name__,
        True,
    )
    checked = process_config(resolve_to_config_type(launcher.config_type()), section["config"])
    assert checked.success, checked.errors
    assert set(config["storage"]) == {"postgres"}
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    # the same pools as the local instance: one DuckDB writer, one Iceberg committer
    local = yaml.safe_load((REPO / "deploy" / "dagster.yaml").read_text())
    assert config["concurrency"] == local["concurrency"]


@pytest.mark.parametrize("name", sorted(LAUNCHERS))
def test_no_value_is_written_in_the_instance_files(name: str) -> None:
    config = yaml.safe_load((REPO / "deploy" / name).read_text())
    database = config["storage"]["postgres"]["postgres_db"]
    assert all(set(value) == {"env"} for key, value in database.items() if key != "scheme")


def test_runs_in_docker_get_the_remote_lakes_variables(tmp_path: Path) -> None:
    """Every variable the remote-lake tests point the pipeline with is forwarded to a run."""
    forwarded = set(
        yaml.safe_load((REPO / "deploy" / "dagster.docker.yaml").read_text())["run_launcher"][
            "config"
        ]["env_vars"]
    )
    example = SeaweedLake(tmp_path, Path("weed"), {"s3.port": 1, "s3.port.iceberg": 2}, "k", "s")
    assert set(example.catalog_env("lake")) <= forwarded
    assert {"MONGO_URI", "CLAUDE_ANALYTICS_HOME", "DAGSTER_PG_PASSWORD"} <= forwarded


def test_the_docker_instance_loads_on_postgres(
    postgres_server: PostgresServer,  # noqa: F811 - the imported fixture
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _postgres_env(monkeypatch, postgres_server)
    home = _home(tmp_path, "dagster.docker.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        launcher = instance.run_launcher
        assert isinstance(launcher, DockerRunLauncher)
        assert launcher.networks == [SITE["DAGSTER_DOCKER_NETWORK"]]
        assert launcher.container_kwargs["volumes"] == ["claude-analytics_analytics_home:/data"]
        assert "PYICEBERG_CATALOG__DEFAULT__CREDENTIAL" in launcher.env_vars
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
