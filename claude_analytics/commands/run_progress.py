"""A run's progress as a person follows it: which stage, how many days and entries, how long.

`RunProgress.handle` takes the run's events as Dagster stores them (the CLI registers it as
an event listener on the instance), so the figures are the ones the UI shows: the lake's
and the warehouse's per-day materializations, one materialization per dbt model, one
evaluation per check. The only figure read from a log line is the lake's running count of
source lines, so a long extraction shows it moves.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import dagster as dg

from claude_analytics.core.alerts.failures import StepFailure, step_failure

LAKE_STEP, WAREHOUSE_STEP, DBT_STEP = "lake_raw", "warehouse_raw", "dbt_models"
STAGE_LABELS: Mapping[str, str] = {
    LAKE_STEP: "extract → lake",
    WAREHOUSE_STEP: "lake → warehouse",
    "model_prices": "reference prices",
    DBT_STEP: "dbt build",
    "serving__analytics_snapshot": "serving snapshot",
    "serving__dashboard": "dashboard",
}
LAKE_ENTRIES = "lake/raw/conversations"
LAKE_DEAD_LETTERS = "lake/raw/dead_letters"
RAW_ENTRIES = "raw/conversations"
SNAPSHOT, DASHBOARD = "serving/analytics_snapshot", "serving/dashboard"
# the lake asset logs one line per source batch: "batch 3: 5000 lines read, ..."
BATCH_LINE = re.compile(r"^batch \d+: (\d+) lines read")

Status = Literal["running", "done", "failed"]


@dataclass
class Stage:
    step: str
    label: str
    started: float
    finished: float | None = None
    status: Status = "running"
    facts: dict[str, Any] = field(default_factory=dict)

    def seconds(self, now: float | None = None) -> float:
        return (self.finished or now or time.time()) - self.started


@dataclass
class CheckTally:
    passed: int = 0
    failed: list[str] = field(default_factory=list)  # "asset:check (severity)"


@dataclass
class RunProgress:
    """Stages in the order they started, with what each has done so far."""

    days: int
    dbt_models: int = 0
    dbt_tests: int = 0
    stages: dict[str, Stage] = field(default_factory=dict)
    checks: CheckTally = field(default_factory=CheckTally)
    failures: list[StepFailure] = field(default_factory=list)
    finished: bool = False

    def handle(self, entry: dg.EventLogEntry) -> None:
        event_type = entry.dagster_event_type
        step = entry.step_key
        if event_type is None:
            self._log_line(step, entry.user_message)
        elif event_type == dg.DagsterEventType.STEP_START and step:
            label = STAGE_LABELS.get(step, step.replace("__", "/"))
            self.stages[step] = Stage(step, label, entry.timestamp)
        elif event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            self._finish(entry, step)
        elif event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            self._materialized(step, entry.asset_materialization)
        elif event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            self._evaluated(step, entry.asset_check_evaluation)
        elif event_type in (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE):
            self.finished = True

    def _stage(self, step: str | None) -> Stage | None:
        return self.stages.get(step) if step else None

    def _log_line(self, step: str | None, message: str) -> None:
        stage = self._stage(step)
        matched = BATCH_LINE.match(message or "")
        if stage is not None and step == LAKE_STEP and matched:
            stage.facts["lines_read"] = stage.facts.get("lines_read", 0) + int(matched.group(1))

    def _finish(self, entry: dg.EventLogEntry, step: str | None) -> None:
        stage = self._stage(step)
        if stage is None or step is None:
            return
        stage.finished = entry.timestamp
        if entry.dagster_event_type == dg.DagsterEventType.STEP_FAILURE:
            stage.status = "failed"
            error = entry.get_dagster_event().step_failure_data.error
            self.failures.append(step_failure(step, error))
        else:
            stage.status = "done"

    def _materialized(self, step: str | None, event: dg.AssetMaterialization | None) -> None:
        stage = self._stage(step)
        if stage is None or event is None:
            return
        key = event.asset_key.to_user_string()
        metadata = {name: value.value for name, value in event.metadata.items()}
        facts = stage.facts
        if key in (LAKE_ENTRIES, RAW_ENTRIES):
            facts["entries"] = metadata.get("window_rows", facts.get("entries", 0))
            if metadata.get("rows"):
                facts["days_with_data"] = facts.get("days_with_data", 0) + 1
            if "days_changed" in metadata:
                facts["days_changed"] = metadata["days_changed"]
        elif key == LAKE_DEAD_LETTERS:
            facts["dead_letters"] = metadata.get("window_rows", 0)
        elif step == DBT_STEP:
            facts["models"] = facts.get("models", 0) + 1
        elif key == SNAPSHOT:
            facts["bytes"] = metadata.get("bytes", 0)
            facts["tables"] = len(metadata.get("tables") or {})
        elif key == DASHBOARD:
            facts["charts"] = metadata.get("charts", 0)
            facts["path"] = metadata.get("path")

    def _evaluated(self, step: str | None, evaluation: dg.AssetCheckEvaluation | None) -> None:
        if evaluation is None:
            return
        stage = self._stage(step)
        if stage is not None and step == DBT_STEP:
            stage.facts["tests"] = stage.facts.get("tests", 0) + 1
        elif stage is not None and step not in STAGE_LABELS:  # a check's own step
            stage.label = "checks"
            stage.facts.setdefault("checks", []).append(evaluation.check_name)
        if evaluation.passed:
            self.checks.passed += 1
        else:
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            self.checks.failed.append(f"{name} ({evaluation.severity.value.lower()})")


def describe_stage(stage: Stage, progress: RunProgress) -> str:
    """One line of figures for a stage, as far as it has got."""
    facts = stage.facts
    if stage.step == LAKE_STEP:
        if "entries" not in facts:
            return f"{facts.get('lines_read', 0):,} source lines read"
        return (
            f"{facts['entries']:,} entries · {facts.get('dead_letters', 0):,} dead letters · "
            f"data on {facts.get('days_with_data', 0)}/{progress.days} days"
        )
    if stage.step == WAREHOUSE_STEP and "entries" in facts:
        return f"{facts['entries']:,} rows · {facts.get('days_changed', 0)} days changed"
    if stage.step == DBT_STEP:
        if stage.status == "done" and not facts.get("models"):
            return "nothing to build yet (no entries loaded)"
        return (
            f"{facts.get('models', 0)}/{progress.dbt_models} models · "
            f"{facts.get('tests', 0)}/{progress.dbt_tests} tests"
        )
    if "bytes" in facts:
        return f"{facts['tables']} tables · {facts['bytes'] / 1e6:.1f} MB"
    if "charts" in facts:
        return f"{facts['charts']} charts"
    return ", ".join(facts.get("checks", []))
