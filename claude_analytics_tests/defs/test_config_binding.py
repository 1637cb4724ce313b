"""Configuration is bound once (defs/resources.py), and importing the definitions does nothing.

Importing a `claude_analytics.defs` module reads no configuration, no dbt manifest and starts
no dbt; only loading the definitions does. Values set in the environment reach the resources
as `dg.EnvVar`s (Dagster shows their names, never their values); dbt gets the warehouse from
its resource; no module writes `os.environ`.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

REPO = Path(__file__).resolve().parents[2]

# Imports every module of the defs folder (and the code-location entry) with the readers of
# configuration replaced by tripwires, and records what the imports open and start.
IMPORT_EVERY_DEFS_MODULE = """
import importlib, json, pkgutil, sys

events = []

def audit(name, args):
    if name == "open" and args and "manifest.json" in str(args[0]):
        events.append(f"opened {args[0]}")
    if name == "subprocess.Popen" and "dbt" in str(args[1]):
        events.append(f"started {args[1]}")

sys.addaudithook(audit)

import claude_analytics.core.config as config

def tripwire(name):
    def called(*args, **kwargs):
        events.append(f"called {name}")
        return getattr(config, "_" + name)(*args, **kwargs)
    return called

for name in ("load_settings", "load_quality_settings", "load_identity_settings"):
    setattr(config, "_" + name, getattr(config, name))
    setattr(config, name, tripwire(name))

import claude_analytics.defs as defs_package

modules = [
    info.name for info in pkgutil.walk_packages(defs_package.__path__, "claude_analytics.defs.")
]
for name in [*modules, "claude_analytics.definitions"]:
    importlib.import_module(name)
print(json.dumps({"modules": modules, "events": events}))
"""


def test_importing_the_definitions_reads_no_configuration_manifest_or_dbt() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_DEFS_MODULE],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    found = json.loads(completed.stdout.strip().splitlines()[-1])
    assert "claude_analytics.defs.serving.assets" in found["modules"]
    assert "claude_analytics.defs.transform.assets" in found["modules"]
    assert found["events"] == []


def _writes_environment(node: ast.AST) -> bool:
    """`os.environ[...] = `, `del os.environ[...]`, `os.environ.update(...)` and the like,
    `os.putenv`/`os.unsetenv`."""

    def is_environ(value: ast.AST) -> bool:
        return isinstance(value, ast.Attribute) and value.attr == "environ"

    if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
        targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        return any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in targets)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        mutators = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__"}
        if node.func.attr in mutators and is_environ(node.func.value):
            return True
        return node.func.attr in {"putenv", "unsetenv"}
    return False


def test_no_module_writes_the_environment() -> None:
    writers = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for folder in ("claude_analytics", "benchmarks")
        for path in sorted((REPO / folder).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _writes_environment(node)
    ]
    assert writers == []


def test_the_tripwire_sees_a_write() -> None:
    """The scan above finds the forms it looks for (the check must be able to fail)."""
    for source in (
        "import os\nos.environ['X'] = '1'",
        "import os\nos.environ.update(X='1')",
        "import os\nos.putenv('X', '1')",
    ):
        assert any(_writes_environment(node) for node in ast.walk(ast.parse(source))), source


def _env_var_name(value: Any) -> str | None:
    return value.env_var_name if isinstance(value, dg.EnvVar) else None


def test_variables_set_at_load_are_bound_by_name_and_unset_ones_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claude_analytics.core.config import DEFAULT_DUCKDB_MEMORY_LIMIT, load_settings
    from claude_analytics.defs.resources import resource_bindings

    webhook = "https://hooks.example.com/services/T0/B0/do-not-show"
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(tmp_path / "projects"))
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "elsewhere.duckdb"))
    monkeypatch.setenv("ALERT_WEBHOOK_URL", webhook)
    monkeypatch.setenv("CLAUDE_ANALYTICS_IDENTITY_SALT", "pepper-do-not-show")
    monkeypatch.delenv("DUCKDB_MEMORY_LIMIT", raising=False)
    settings = load_settings()
    bound = resource_bindings(settings)

    # set: by name
    assert _env_var_name(bound["home"].directory) == "CLAUDE_ANALYTICS_HOME"
    assert _env_var_name(bound["lake_catalog"].home) == "CLAUDE_ANALYTICS_HOME"
    assert _env_var_name(bound["duckdb"].database) == "DUCKDB_PATH"
    assert _env_var_name(bound["dbt"].duckdb_path) == "DUCKDB_PATH"
    assert _env_var_name(bound["source"].logs_dir) == "CLAUDE_LOGS_DIR"
    assert _env_var_name(bound["source"].identity_salt) == "CLAUDE_ANALYTICS_IDENTITY_SALT"
    assert _env_var_name(bound["alerts"].webhook_url) == "ALERT_WEBHOOK_URL"
    # unset: the documented default
    assert bound["mongo"].uri is None
    assert bound["mongo"].database == "claude_logs"
    assert bound["duckdb"].memory_limit == DEFAULT_DUCKDB_MEMORY_LIMIT
    assert bound["source"].sample_dir == str(settings.home / "sample")
    for resource in bound.values():
        assert "do-not-show" not in repr(resource)

    # resolved when a run initialises them, to the values load_settings reads
    with bound["dbt"].process_config_and_initialize_cm() as dbt:
        assert dbt.profile_vars() == {
            "duckdb_path": str(settings.duckdb_path),
            "duckdb_memory_limit": DEFAULT_DUCKDB_MEMORY_LIMIT,
        }
    with bound["alerts"].process_config_and_initialize_cm() as alerts:
        assert alerts.webhook_url == webhook
        assert alerts.log_path == settings.home / "alerts.log"


def test_dbt_gets_the_warehouse_as_profile_variables_and_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt runs in its project folder: a relative DUCKDB_PATH must reach it made absolute,
    passed on its command line, with the home's target folder, and no exported variable."""
    from dagster_dbt import DbtCliResource

    from claude_analytics.defs.transform.dbt_project import (
        PipelineDbtResource,
        dbt_executable,
        dbt_project,
    )

    monkeypatch.chdir(tmp_path)
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        DbtCliResource, "cli", lambda self, args, **kwargs: calls.append({"args": args, **kwargs})
    )
    dbt = PipelineDbtResource(
        project_dir=dbt_project(),
        dbt_executable=dbt_executable(),
        home="home",
        duckdb_path="warehouse.duckdb",
        memory_limit="2GB",
    )
    dbt.cli(["build"])
    [call] = calls
    assert call["args"][:2] == ["build", "--vars"]
    assert json.loads(call["args"][2]) == {
        "duckdb_path": str(tmp_path / "warehouse.duckdb"),
        "duckdb_memory_limit": "2GB",
    }
    assert call["target_path"] == tmp_path / "home" / "dbt" / "target"
    assert Path(dbt.dbt_executable).is_absolute()


def test_the_snapshot_lists_every_check_of_the_code_location() -> None:
    """The snapshot reports the checks of the whole code location, which it lists from the
    definitions that hold them; a new holder of checks must join that list."""
    from claude_analytics.definitions import defs
    from claude_analytics.defs.serving.assets import code_location_check_keys

    assert code_location_check_keys() == set(defs().resolve_asset_graph().asset_check_keys)
