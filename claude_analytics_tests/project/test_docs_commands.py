"""Every command in README.md and RUNBOOK.md exists and a named test runs it.

The commands are read from the documents' ```bash blocks, so a new command without a test
(or a renamed option) fails here instead of failing an operator.
"""

from __future__ import annotations

import importlib
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claude_analytics.cli import app

REPO = Path(__file__).resolve().parents[2]
DOCS = ("README.md", "RUNBOOK.md")
# Shell plumbing around the commands (activating the venv, exporting paths, copying files).
SHELL = {"source", "export", "cp", "rm", "cd"}
E2E = "e2e.test_operations"
MAKE = "project.test_docs_commands::test_make_targets_run_the_documented_commands"
FROM_SOURCE = f"{E2E}::test_everything_is_restored_from_the_source_after_losing_the_lake"
HOURLY = f"{E2E}::test_the_hourly_job_loads_yesterday_and_today_and_leaves_older_days"
SCHEDULES = f"{E2E}::test_schedules_are_listed_stopped_and_started_from_dagster_cli"

# command (its leading words) -> the test that runs it
COVERAGE: dict[str, str] = {
    "make run": MAKE,
    "make test": MAKE,
    "make test-fast": MAKE,
    "make dev": MAKE,
    "make lint": MAKE,
    "make format": MAKE,
    "make lock": MAKE,
    "make bench": MAKE,
    # The benchmark itself takes minutes (a million entries by default), so CI runs its parts
    # on the small sample; BENCHMARKS.md records the last full run.
    "python -m benchmarks.run": (
        "project.test_benchmarks::test_stage_children_report_counts_rss_and_cpu"
    ),
    "claude-analytics run": FROM_SOURCE,
    "claude-analytics demo": "project.test_docs_commands::test_demo_writes_the_requested_entries",
    "claude-analytics prepare": "project.test_docs_commands::test_prepare_writes_the_dbt_manifest",
    "claude-analytics doctor": f"{E2E}::test_doctor_is_all_ok_after_a_run",
    "claude-analytics status": f"{E2E}::test_status_prints_the_runbook_freshness_figures",
    "claude-analytics run-job": HOURLY,
    "claude-analytics backup": f"{E2E}::test_backup_keeps_the_newest_and_restore_verifies_counts",
    "claude-analytics restore": f"{E2E}::test_backup_keeps_the_newest_and_restore_verifies_counts",
    "claude-analytics rebuild": (
        f"{E2E}::test_a_truncated_warehouse_is_reported_and_rebuilt_from_the_lake_alone"
    ),
    "claude-analytics doctor --fix": (
        "e2e.test_stale_runs::test_a_run_killed_in_each_pooled_step_does_not_wedge_the_next"
    ),
    "dagster asset materialize": f"{E2E}::test_a_cli_backfill_is_one_run_that_fills_every_layer",
    "dagster job execute": f"{E2E}::test_weekly_maintenance_runs_from_each_command_line",
    "dg launch --assets": f"{E2E}::test_one_partition_from_the_cli_replaces_only_that_day",
    "dg launch --job": f"{E2E}::test_weekly_maintenance_runs_from_each_command_line",
    "dg check defs": "defs.test_definitions::test_dg_check_defs_loads_the_code_location",
    "dagster schedule list": SCHEDULES,
    "dagster schedule stop": SCHEDULES,
    "dagster schedule start": SCHEDULES,
    "dagster instance concurrency": f"{E2E}::test_instance_commands_of_the_runbook",
    "dagster instance info": f"{E2E}::test_instance_commands_of_the_runbook",
    "dagster instance migrate": f"{E2E}::test_instance_commands_of_the_runbook",
    "dagster run wipe": f"{E2E}::test_instance_commands_of_the_runbook",
    "dagster-daemon liveness-check": f"{E2E}::test_instance_commands_of_the_runbook",
    "claude-analytics sync": "e2e.mongo.test_sync::test_sync_writes_the_design_shape_once",
    "claude-analytics report": "serving.test_reports::test_daily_report_equals_agg_model_costs",
    "claude-analytics dead-letters": (
        "e2e.test_fault_tolerance::test_the_dead_letters_command_counts_each_reason"
    ),
    "python3 deploy/metabase/provision.py": (
        "serving.test_metabase::test_dry_run_plans_database_cards_and_dashboard"
    ),
    # No Docker engine runs in CI: the files the command reads are parsed and checked.
    "docker compose up": (
        "project.test_deploy_files::test_every_service_is_there_with_a_healthcheck"
    ),
}
MAKE_TARGETS = {
    "run": "claude-analytics run",
    "test": "pytest -n",
    "test-fast": "pytest claude_analytics_tests/unit",
    "dev": "dg dev",
    "lint": "ruff check .",
    "format": "ruff format .",
    "lock": "uv pip compile pyproject.toml",
    "bench": "benchmarks.run",
}


def documented_commands() -> list[str]:
    """Each command line of the documents' bash blocks, continuations joined, comments cut."""
    commands = []
    for doc in DOCS:
        text = (REPO / doc).read_text()
        for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
            for line in block.replace("\\\n", " ").splitlines():
                line = re.sub(r"\s+#.*$", "", line).strip()
                if line and not line.startswith("#"):
                    commands.append(line)
    return commands


def command_key(line: str) -> str:
    words = shlex.split(line)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        words.pop(0)  # VAR=value prefixes
    words[0] = words[0].removeprefix(".venv/bin/")
    if words[0] in SHELL:
        return words[0]
    for size in (3, 2):
        key = " ".join(words[:size])
        if key in COVERAGE:
            return key
    return " ".join(words[:3])


def test_every_documented_command_has_a_test_that_runs_it() -> None:
    commands = documented_commands()
    assert len(commands) > 20
    missing = sorted({c for c in commands if command_key(c) not in COVERAGE | dict.fromkeys(SHELL)})
    assert not missing, f"documented commands no test runs: {missing}"
    for target in set(COVERAGE.values()):
        module, test = target.split("::")
        assert callable(getattr(importlib.import_module(f"claude_analytics_tests.{module}"), test))


def test_every_documented_claude_analytics_option_exists() -> None:
    for line in documented_commands():
        words = shlex.split(line.replace(".venv/bin/", ""))
        if words[0] != "claude-analytics":
            continue
        result = CliRunner().invoke(app, [words[1], "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, line
        for option in (w.split("=")[0] for w in words[2:] if w.startswith("--")):
            assert option in result.output, f"{line}: {option} is not an option"


def test_make_targets_run_the_documented_commands() -> None:
    for target, command in MAKE_TARGETS.items():
        dry = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True)
        assert dry.returncode == 0, dry.stderr
        assert command in dry.stdout, (target, dry.stdout)


def test_demo_writes_the_requested_entries(tmp_path: Path) -> None:
    out = tmp_path / "claude-sample"
    result = CliRunner().invoke(app, ["demo", "--entries", "250", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [line for p in out.rglob("*.jsonl") for line in p.read_bytes().splitlines() if line]
    assert len(lines) == 250


@pytest.mark.timeout(300)
def test_prepare_writes_the_dbt_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a copy of the dbt project (the repository's own target/ is `make install`'s, and
    no test writes inside the repository), whose manifest `prepare` writes anew."""
    from claude_analytics.defs.transform import dbt_project as project_module

    copy = tmp_path / "dbt_project"
    shutil.copytree(
        project_module.DBT_PROJECT_DIR,
        copy,
        ignore=shutil.ignore_patterns("logs", "dbt_packages", ".user.yml"),
    )
    manifest = copy / "target" / "manifest.json"
    before = manifest.stat().st_mtime_ns if manifest.exists() else None
    monkeypatch.setattr(project_module, "DBT_PROJECT_DIR", copy)
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)  # the copy's own target/
    project_module.dbt_project.cache_clear()
    try:
        result = CliRunner().invoke(app, ["prepare"])
        assert result.exit_code == 0, result.output
        assert project_module.dbt_project().manifest_path == manifest
        assert manifest.exists() and manifest.stat().st_mtime_ns != before
    finally:
        project_module.dbt_project.cache_clear()  # the next caller gets the real project
