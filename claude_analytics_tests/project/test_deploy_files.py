"""docker-compose.yml, the Dockerfile and the env file, checked by parsing (no Docker here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SERVICES = {"mongo", "postgres", "code_location", "dagster_webserver", "dagster_daemon", "metabase"}
SECRET_WORDS = ("PASSWORD", "PASS", "URI", "SECRET")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            pairs[name] = value
    return pairs


def test_every_service_is_there_with_a_healthcheck(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), name
        assert service.get("env_file") == ".env", name


def test_named_volumes_are_declared_and_metabase_reads_the_data_read_only(compose: dict) -> None:
    declared = set(compose["volumes"])
    used = {
        volume.split(":", 1)[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith(".")
    }
    assert used == declared == {"mongo_data", "postgres_data", "analytics_home", "metabase_plugins"}
    metabase = compose["services"]["metabase"]["volumes"]
    assert "analytics_home:/data:ro" in metabase
    assert "analytics_home:/data" in compose["services"]["code_location"]["volumes"]


def test_no_secret_is_written_in_the_compose_file(compose: dict) -> None:
    text = (REPO / "docker-compose.yml").read_text()
    for name, value in _env_example().items():
        if any(word in name for word in SECRET_WORDS):
            assert value not in text, name
    for service in compose["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if any(word in name for word in SECRET_WORDS):
                assert re.fullmatch(r"\$\{[A-Z_]+\}", str(value)), (name, value)


def test_every_referenced_variable_is_in_the_example_env_file() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    referenced = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)\}", text))
    assert referenced
    assert referenced <= set(_env_example())
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()


def test_the_services_find_each_other(compose: dict) -> None:
    workspace = yaml.safe_load((REPO / "deploy" / "workspace.docker.yaml").read_text())
    server = workspace["load_from"][0]["grpc_server"]
    assert server["host"] == "code_location"
    code_command = compose["services"]["code_location"]["command"]
    assert str(server["port"]) == code_command[code_command.index("-p") + 1]
    for name in ("dagster_webserver", "dagster_daemon"):
        assert "/app/deploy/workspace.docker.yaml" in compose["services"][name]["command"]
        assert (
            compose["services"][name]["depends_on"]["code_location"]["condition"]
            == "service_healthy"
        )
    assert compose["services"]["code_location"]["environment"]["MONGO_URI"] == "${MONGO_URI}"
    env = _env_example()
    assert env["DAGSTER_PG_HOST"] == "postgres" and env["MB_DB_HOST"] == "postgres"
    assert "@mongo:27017" in env["MONGO_URI"]


def test_the_image_prepares_the_dbt_manifest_and_uses_the_postgres_instance() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    run_lines = " ".join(line for line in dockerfile.splitlines() if not line.startswith("#"))
    assert "claude-analytics prepare" in run_lines
    assert "-r requirements.lock" in run_lines
    home = re.search(r"DAGSTER_HOME=(\S+)", dockerfile).group(1)
    assert f"COPY deploy/dagster.postgres.yaml {home}/dagster.yaml" in dockerfile
    assert "COPY deploy/workspace.docker.yaml /app/deploy/workspace.docker.yaml" in dockerfile
    for source in re.findall(r"^COPY (\S+)", dockerfile, flags=re.M):
        assert (REPO / source).exists(), source
