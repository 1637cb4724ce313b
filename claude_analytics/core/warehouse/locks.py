"""The DuckDB file's write lock: who holds it, and the one bounded wait for it.

DuckDB allows one writing process per file. Runs of this platform queue on the
`duckdb_writer` pool, so a held lock means something outside it (a DuckDB shell, a
notebook, a BI tool pointed at the writer's file). Every writer — the warehouse load, the
dbt build, the serving snapshot, maintenance — waits for it the same way: exponential
backoff for about a minute, saying in the run log who holds the file and how long it
waits, then a failure that names the file. Only lock conflicts are retried.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

_PID = re.compile(r"\(PID (\d+)\)")
# 1 + 2 + 4 + 8 + 16 + 32 s: about a minute; dbt's profile retries its connect on the same
# schedule (`retries.connect_attempts: 7`), for a holder that takes the file in between.
LOCK_RETRIES = 6
LOCK_WAIT_SECONDS = 1.0
T = TypeVar("T")


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB file's write lock and did not let go in time."""


def lock_holder_pid(message: str) -> int | None:
    """The PID in a DuckDB "Conflicting lock is held in <program> (PID n)" error, if any."""
    match = _PID.search(message)
    return int(match.group(1)) if match else None


def is_lock_conflict(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def probe_lock(path: Path) -> int | None:
    """PID of another process holding the file's write lock, or None when it is free.

    A read-only open takes a shared lock, which fails exactly while a writer is inside.
    """
    if not path.exists():
        return None
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.IOException as error:
        pid = lock_holder_pid(str(error))
        if pid is None:
            raise
        return pid
    return None


def with_lock_retries(
    action: Callable[[], T],
    database: str,
    log: Callable[[str], object],
    retries: int = LOCK_RETRIES,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> T:
    """`action()` (which opens `database` for writing), waiting out a foreign lock."""
    delay = wait_seconds
    waited = 0.0
    for attempt in range(retries + 1):
        try:
            return action()
        except duckdb.IOException as error:
            if not is_lock_conflict(error):
                raise
            if attempt == retries:
                raise WarehouseLockedError(
                    f"The DuckDB file {database} is locked by another process (DuckDB allows "
                    f"one writer per file); gave up after {retries + 1} attempts over "
                    f"{waited:.1f}s. Close the other writer (a DuckDB shell, a notebook, a BI "
                    "tool opened on the writer's file instead of the serving copy) and re-run. "
                    f"DuckDB said: {error}"
                ) from error
            pid = lock_holder_pid(str(error))
            log(
                f"The DuckDB file {database} is locked by "
                f"{f'PID {pid}' if pid else 'another process'}: waiting {delay:g}s for it "
                f"(attempt {attempt + 1} of {retries + 1}, {waited:g}s waited so far)"
            )
            time.sleep(delay)
            waited += delay
            delay *= 2
    raise AssertionError("unreachable")


def connect_with_lock_retries(
    database: str,
    config: dict[str, Any],
    log: Callable[[str], object],
    retries: int = LOCK_RETRIES,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> duckdb.DuckDBPyConnection:
    """A write connection to `database`, once its lock is free."""
    return with_lock_retries(
        lambda: duckdb.connect(database, read_only=False, config=dict(config)),
        database,
        log,
        retries,
        wait_seconds,
    )


def wait_for_writer_lock(database: Path, log: Callable[[str], object]) -> None:
    """Return once no other process holds `database` (for writers that open it themselves,
    like dbt): a write connection is opened and closed at once."""
    connect_with_lock_retries(str(database), {}, log).close()
