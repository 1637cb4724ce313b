"""Runs whose process died: marked failed, and the pool slots they held freed.

A run killed inside a pooled step (SIGKILL, the OOM killer, a power cut, a full disk that
cannot take its last event) never records its end: it stays STARTED and keeps its
`iceberg_writer` or `duckdb_writer` slot, and every later run waits for that slot forever.
Dagster's run monitoring fails such runs only for launchers that can ask about their
workers (Docker, Kubernetes), not for the default launcher nor for runs the CLI executes in
process; its `free_slots_after_run_end_seconds` frees the slots of runs that did end.

This module judges a run by its process: the CLI tags its runs with the host, process id
and process start time; Dagster records the process id of every run it executes in an
engine event. A run whose process is gone from this host (or whose id now belongs to a
younger process) is dead. Only runs of this host are judged: a CLI run tagged with another
host is left alone, and an untagged run (launched by the daemon) is judged only where
asked (`include_launched`) and only with the default launcher, which executes every run on
the code server's host — where `doctor` and the daemon's sensor run.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import psutil

HOST_TAG = "claude_analytics/host"
PID_TAG = "claude_analytics/pid"
PROCESS_STARTED_TAG = "claude_analytics/process_started"
# A process younger than its run's record by more than this is another process (pid reuse).
_CLOCK_SLACK_SECONDS = 2.0
_IN_PROGRESS = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


@dataclass(frozen=True)
class StaleRun:
    run_id: str
    job_name: str
    status: str
    pid: int | None
    slots: tuple[str, ...]  # "pool/step" claimed or waited for

    def describe(self) -> str:
        process = f"its process {self.pid} is gone" if self.pid else "it ended"
        held = f", holding {', '.join(self.slots)}" if self.slots else ""
        return f"run {self.run_id[:8]} ({self.job_name}, {self.status}): {process}{held}"


def run_tags() -> dict[str, str]:
    """Tags that let any later process on this host tell whether this process still runs."""
    return {
        HOST_TAG: socket.gethostname(),
        PID_TAG: str(os.getpid()),
        PROCESS_STARTED_TAG: f"{psutil.Process().create_time():.3f}",
    }


def _alive(pid: int, recorded_at: float) -> bool:
    """Is `pid` a live process that existed when its run recorded it?"""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return process.create_time() <= recorded_at + _CLOCK_SLACK_SECONDS
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # it exists; without rights to it, assume it is the run's


def _launched_process(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The process id Dagster recorded for a run ("Started process for run", or the
    in-process executor's), with the time it recorded it."""
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
    for record in reversed(events):
        data = record.dagster_event.event_specific_data if record.dagster_event else None
        pid = (getattr(data, "metadata", None) or {}).get("pid")
        if pid is not None and str(pid.value).isdigit():
            return int(pid.value), record.timestamp
    return None


def _process_of(
    instance: dg.DagsterInstance, run: dg.DagsterRun, include_launched: bool
) -> tuple[int, float] | None:
    """The run's process, when this host can judge it; None when it cannot."""
    host = run.tags.get(HOST_TAG)
    if host is not None:
        if host != socket.gethostname() or not run.tags.get(PID_TAG, "").isdigit():
            return None
        return int(run.tags[PID_TAG]), float(run.tags.get(PROCESS_STARTED_TAG, "inf"))
    if not include_launched or not isinstance(instance.run_launcher, dg.DefaultRunLauncher):
        return None
    return _launched_process(instance, run.run_id)


def _held_slots(instance: dg.DagsterInstance) -> dict[str, list[str]]:
    """Pool slots claimed (or waited for) per run id."""
    storage = instance.event_log_storage
    held: dict[str, list[str]] = {}
    if not storage.supports_global_concurrency_limits:
        return held
    for pool in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(pool)
        for slot in info.claimed_slots:
            held.setdefault(slot.run_id, []).append(f"{pool}/{slot.step_key}")
        for step in info.pending_steps:
            if step.assigned_timestamp is None:
                held.setdefault(step.run_id, []).append(f"{pool}/{step.step_key} (waiting)")
    return held


def find_stale_runs(instance: dg.DagsterInstance, include_launched: bool) -> list[StaleRun]:
    """Runs in progress whose process is gone, and ended runs still holding slots."""
    held = _held_slots(instance)
    stale: list[StaleRun] = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_IN_PROGRESS)):
        process = _process_of(instance, run, include_launched)
        if process is not None and not _alive(*process):
            slots = tuple(held.get(run.run_id, ()))
            stale.append(StaleRun(run.run_id, run.job_name, run.status.value, process[0], slots))
    judged = {run.run_id for run in stale}
    ended_ids = [run_id for run_id in held if run_id not in judged]
    if ended_ids:
        for run in instance.get_runs(filters=dg.RunsFilter(run_ids=ended_ids)):
            if run.is_finished:
                slots = tuple(held[run.run_id])
                stale.append(StaleRun(run.run_id, run.job_name, run.status.value, None, slots))
    return stale


def recover(
    instance: dg.DagsterInstance, stale: list[StaleRun], log: Callable[[str], object]
) -> None:
    """Mark each dead run failed (with why) and free every slot it holds."""
    for found in stale:
        run = instance.get_run_by_id(found.run_id)
        if run is not None and not run.is_finished:
            instance.report_run_failed(
                run,
                f"Marked failed by claude-analytics: {found.describe()}. The process was "
                "killed or crashed without recording the run's end; its pool slots are freed "
                "so the next runs can proceed. Re-run the same window: it is safe.",
            )
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(found.run_id)
        log(f"Recovered {found.describe()}: marked failed, its pool slots freed")


def recover_stale_runs(
    instance: dg.DagsterInstance, log: Callable[[str], object], include_launched: bool = False
) -> list[StaleRun]:
    stale = find_stale_runs(instance, include_launched)
    recover(instance, stale, log)
    return stale
