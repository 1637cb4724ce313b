"""A run killed inside a pooled step must not wedge the runs after it.

Real processes, really killed: `claude-analytics run` is started in a subprocess and sent
SIGKILL (its whole process group, dbt included) while it holds the `iceberg_writer` slot
in `lake_raw`, then again while it holds `duckdb_writer` in `dbt_models`. Before the fix
the killed run stayed STARTED with its slot claimed and the next run waited forever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest

from claude_analytics.commands.instance import get_instance
from claude_analytics.core.config import load_settings
from claude_analytics.defs.recovery.sensors import stale_run_recovery
from claude_analytics.defs.recovery.stale_runs import find_stale_runs

CLI = str(Path(sys.executable).with_name("claude-analytics"))
# A run that completes after a recovery; it would wait forever on a wedged slot.
RUN_TIMEOUT_SECONDS = 300


def _cli(*args: str, timeout: float = RUN_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "250"},
    )


def _kill_while_claimed(instance: dg.DagsterInstance, pool: str, step: str, log: Path) -> str:
    """Start a run, SIGKILL it while `step` holds the pool's slot; the killed run's id."""
    with log.open("w") as out:
        run = subprocess.Popen(
            [CLI, "run"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            claimed = instance.event_log_storage.get_concurrency_info(pool).claimed_slots
            held = [slot.run_id for slot in claimed if slot.step_key == step]
            if held:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait(timeout=30)
                return held[0]
            assert run.poll() is None, f"the run ended before {step} started:\n{log.read_text()}"
            time.sleep(0.02)
        raise AssertionError(f"{step} never claimed {pool}:\n{log.read_text()}")
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=30)


def _wedged(instance: dg.DagsterInstance, run_id: str, pool: str) -> bool:
    run = instance.get_run_by_id(run_id)
    claimed = instance.event_log_storage.get_concurrency_info(pool).claimed_slots
    return (
        run is not None
        and run.status == dg.DagsterRunStatus.STARTED
        and any(slot.run_id == run_id for slot in claimed)
    )


def _recovered(instance: dg.DagsterInstance, run_id: str) -> bool:
    run = instance.get_run_by_id(run_id)
    return (
        run is not None
        and run.status == dg.DagsterRunStatus.FAILURE
        and run_id not in instance.event_log_storage.get_concurrency_run_ids()
    )


@pytest.mark.slow
def test_a_run_killed_in_each_pooled_step_does_not_wedge_the_next(
    small_sample: Path, tmp_path: Path
) -> None:
    instance = get_instance(load_settings())

    # killed in the lake step: doctor names it, `doctor --fix` recovers it
    killed = _kill_while_claimed(instance, "iceberg_writer", "lake_raw", tmp_path / "first.log")
    assert _wedged(instance, killed, "iceberg_writer")
    report = _cli("doctor")
    assert report.returncode == 1, report.stdout
    [row] = [line for line in report.stdout.splitlines() if "stale runs" in line]
    assert "FAIL" in row and killed[:8] in report.stdout and "iceberg_writer" in report.stdout
    fixed = _cli("doctor", "--fix")
    assert "recovered" in fixed.stdout, fixed.stdout
    assert _recovered(instance, killed)

    # killed in dbt: the next run recovers it at its start, then completes
    killed = _kill_while_claimed(instance, "duckdb_writer", "dbt_models", tmp_path / "second.log")
    assert _wedged(instance, killed, "duckdb_writer")
    rerun = _cli("run")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"Recovered run {killed[:8]}" in rerun.stdout
    assert _recovered(instance, killed)
    failure = instance.get_run_by_id(killed)
    assert failure is not None
    [event] = instance.all_logs(killed, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert "process" in (event.message or "") and "dbt_models" in (event.message or "")
    assert _cli("doctor").stdout.count("no run holds a slot") == 1


# A run the way the daemon's launcher runs one (no host tag, its pid in an engine event)
# whose only step waits inside the duckdb_writer pool.
POOLED_JOB = textwrap.dedent(
    """
    import time
    import dagster as dg
    from claude_analytics.commands.instance import get_instance
    from claude_analytics.core.config import load_settings

    @dg.op(pool="duckdb_writer")
    def hold_the_slot():
        print("holding", flush=True)
        time.sleep(600)

    @dg.job
    def pooled():
        hold_the_slot()

    pooled.execute_in_process(instance=get_instance(load_settings()))
    """
)


def test_the_daemon_sensor_recovers_a_killed_launched_run() -> None:
    instance = get_instance(load_settings())
    worker = subprocess.Popen([sys.executable, "-c", POOLED_JOB], stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "holding"
        # alive, it is left alone
        assert find_stale_runs(instance, include_launched=True) == []
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    [run] = instance.get_runs(filters=dg.RunsFilter(job_name="pooled"))
    assert _wedged(instance, run.run_id, "duckdb_writer")

    context = dg.build_sensor_context(instance=instance)
    result = stale_run_recovery(context)
    assert "Recovered 1 run" in str(result.skip_message)
    assert _recovered(instance, run.run_id)
    assert "No run" in str(stale_run_recovery(context).skip_message)
