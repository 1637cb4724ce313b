"""The whole code location as reviewable text: a change to the graph shows up in the diff.

Every asset (group, kinds, partitions, dependencies), every check (blocking or not), every
job (the assets it runs), schedule and sensor is rendered into sorted JSON and compared with
`definitions_snapshot.json` beside this file. After an intended change, regenerate it:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest claude_analytics_tests/defs/test_definitions_snapshot.py

and commit the new file with the change. The environment is pinned (no MongoDB, the
defaults of every setting), so the snapshot is the same on every machine.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")
# What decides the code location besides the code (conftest.py's `isolate` clears the rest).
PINNED_UNSET = (
    "MONGO_URI",
    "CLAUDE_LOGS_DIR",
    "CLAUDE_ANALYTICS_REDACT",
    "CLAUDE_ANALYTICS_MAX_DEAD_LETTER_RATE",
    "DUCKDB_MEMORY_LIMIT",
    "ALERT_WEBHOOK_URL",
)


def _key(key: dg.AssetKey) -> str:
    return key.to_user_string()


def _status(status: Any) -> str | None:
    return status.value if status is not None else None


def render(definitions: dg.Definitions) -> dict[str, Any]:
    """The graph as sorted plain data: names and flags only, never a path or a value."""
    graph = definitions.resolve_asset_graph()
    assets = {
        _key(node.key): {
            "group": node.group_name,
            "kinds": ", ".join(sorted(node.kinds)),
            "partitions": str(node.partitions_def) if node.partitions_def else None,
            "deps": sorted(_key(parent) for parent in node.parent_keys),
            "executable": node.is_executable,
        }
        for node in graph.asset_nodes
    }
    checks = {
        f"{_key(key.asset_key)}:{key.name}": {"blocking": graph.get_check_spec(key).blocking}
        for key in graph.asset_check_keys
    }
    jobs = {
        job.name: {
            "assets": sorted(_key(key) for key in job.asset_layer.executable_asset_keys),
            "partitioned": job.partitions_def is not None,
        }
        for job in definitions.resolve_all_job_defs()
        if not job.name.startswith("__")
    }
    schedules = {
        schedule.name: {
            "cron": schedule.cron_schedule,
            "timezone": schedule.execution_timezone,
            "job": schedule.job_name,
            "default_status": _status(schedule.default_status),
        }
        for schedule in definitions.schedules or []
    }
    sensors = {
        sensor.name: {
            "jobs": sorted(target.job_name for target in sensor.targets),
            "default_status": _status(sensor.default_status),
        }
        for sensor in (definitions.resolve_sensor_def(s.name) for s in definitions.sensors or [])
    }
    return {
        "assets": dict(sorted(assets.items())),
        "checks": dict(sorted(checks.items())),
        "jobs": dict(sorted(jobs.items())),
        "schedules": dict(sorted(schedules.items())),
        "sensors": dict(sorted(sensors.items())),
    }


def test_the_definitions_match_the_committed_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in PINNED_UNSET:
        monkeypatch.delenv(variable, raising=False)
    from claude_analytics.definitions import defs

    rendered = json.dumps(render(defs()), indent=2, sort_keys=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if rendered != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                rendered.splitlines(keepends=True),
                fromfile=f"{SNAPSHOT.name} (committed)",
                tofile=f"{SNAPSHOT.name} (these definitions)",
            )
        )
        pytest.fail(
            "The code location differs from its snapshot. If the change is intended, run\n"
            "  UPDATE_SNAPSHOTS=1 .venv/bin/pytest "
            "claude_analytics_tests/defs/test_definitions_snapshot.py\n"
            f"and commit {SNAPSHOT.name} with it.\n\n{diff}",
            pytrace=False,
        )
