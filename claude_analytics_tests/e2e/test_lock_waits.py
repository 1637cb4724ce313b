"""Every writer of the DuckDB file waits for a foreign lock, and says so in the run log.

Before the fix only the warehouse resource waited, silently; `dbt_models` failed at once
with `Could not set lock on file` when a notebook held the file as dbt started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb

from claude_analytics.core.config import load_settings
from claude_analytics.core.warehouse import tables as warehouse
from claude_analytics.defs.reference.assets import model_prices
from claude_analytics.defs.resource_types import HomeResource, WarehouseResource
from claude_analytics.defs.resources import dbt_resource
from claude_analytics.defs.transform.assets import dbt_models_definition

HOLD_SECONDS = 2.5
# A notebook that holds a write connection for a while, then closes it.
HOLDER = (
    "import duckdb, sys, time\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('locked', flush=True)\n"
    f"time.sleep({HOLD_SECONDS})\n"
    "con.close()\n"
    "time.sleep(600)\n"
)


def _hold(database: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def lock_waits(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The run log's lines that say it waits for the DuckDB file's lock."""
    return [
        record.user_message
        for record in instance.all_logs(run_id)
        if "is locked by PID" in record.user_message
    ]


def test_dbt_waits_for_a_foreign_lock_and_logs_the_wait() -> None:
    settings = load_settings()
    database = settings.duckdb_path
    database.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database)) as con:
        warehouse.ensure_raw_tables(con)  # dbt builds every model over empty raw tables
        # a day noted as loaded: dbt skips a warehouse that was never loaded
        con.execute(f"insert into {warehouse.LOADED_DAYS} values ('2026-11-02', now(), 'test')")
    instance = dg.DagsterInstance.ephemeral()
    # dbt reads the price tables the reference asset writes; the dbt assets are read from the
    # manifest before the lock is taken, so the run starts while it is held
    assets = [model_prices, dbt_models_definition()]
    resources = {
        "dbt": dbt_resource(settings),  # the pipeline's: dbt builds into `database`
        "duckdb": WarehouseResource(database=str(database)),
        "home": HomeResource(directory=str(settings.home)),
    }
    holder = _hold(database)
    try:
        started = time.monotonic()
        result = dg.materialize(
            assets,
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )
        waited = time.monotonic() - started
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    assert result.success
    waits = lock_waits(instance, result.run_id)
    assert waits and str(holder.pid) in waits[0] and str(database) in waits[0]
    assert waited >= HOLD_SECONDS
