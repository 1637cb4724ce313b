"""Who holds the DuckDB file: DuckDB names the holder's PID in its lock error."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

_PID = re.compile(r"\(PID (\d+)\)")


def lock_holder_pid(message: str) -> int | None:
    """The PID in a DuckDB "Conflicting lock is held in <program> (PID n)" error, if any."""
    match = _PID.search(message)
    return int(match.group(1)) if match else None


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
