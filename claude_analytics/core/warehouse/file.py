"""The writer's DuckDB file as a file: is it readable, and moving a damaged one aside.

A truncated or overwritten file (a full disk, a bad copy) makes every open fail with
DuckDB's own IO error, and every run and `status` with it. The lake holds everything the
warehouse is built from, so the way back is a rebuild into a new file; the damaged one is
kept beside it for inspection, never deleted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from claude_analytics.core.sql_files import read_sql
from claude_analytics.core.warehouse.locks import is_lock_conflict
from claude_analytics.core.warehouse.relations import count_rows

REPAIR_HINT = "`claude-analytics rebuild` moves it aside and rebuilds the warehouse from the lake"


def damage(path: Path) -> str | None:
    """Why the file cannot be opened and read (DuckDB's words), or None when it can (or is
    missing, or is only locked by a writer)."""
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute(read_sql(__package__, "base_tables")).fetchall()
            for schema, name in tables:
                count_rows(con, schema, name)
    except duckdb.Error as error:
        if is_lock_conflict(error):
            return None
        return str(error)
    return None


def move_aside(path: Path) -> Path:
    """Rename the file (and its WAL) to `<name>.damaged-<UTC time>`; returns the new path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(target)
    wal = Path(f"{path}.wal")
    if wal.exists():
        wal.rename(Path(f"{target}.wal"))
    return target
