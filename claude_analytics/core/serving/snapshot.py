"""The serving snapshot: a read-only copy of the marts that BI tools open instead of the writer.

DuckDB lets one process write a file and nobody else open it meanwhile, so a Metabase or
notebook holding the warehouse would block every run. The snapshot is built in a temporary
file next to its final place and swapped in with `os.replace` (`core/files.py`): a reader
that has the old file open keeps reading it (the inode lives on), the next reader opens the
new one, and the pipeline never waits on either.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from claude_analytics.core.config import HomeLayout
from claude_analytics.core.files import replacing
from claude_analytics.core.serving.queries import (
    QUALITY_CHECKS,
    QUALITY_DEAD_LETTERS,
    QUALITY_FRESHNESS,
    SNAPSHOT_INFO,
)
from claude_analytics.core.sql_files import fill_slots, read_sql
from claude_analytics.core.warehouse.relations import qualified_name, relation_rows

SNAPSHOT_FILE = "analytics.duckdb"
SNAPSHOT_ALIAS = "serving_snapshot"
COPIED_SCHEMAS = ("marts",)
# Dead-letter text is capped again here: a reader needs the gist, the lake keeps the rest.
DEAD_LETTER_PREVIEW_CHARS = 500


@dataclass(frozen=True)
class SnapshotResult:
    path: Path
    rows: dict[str, int]
    bytes: int
    seconds: float


def snapshot_path(settings: HomeLayout) -> Path:
    return settings.serving_dir / SNAPSHOT_FILE


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _in_snapshot(relation: str) -> str:
    """A `schema.name` of the snapshot (the quality tables) as a quoted, qualified name."""
    return qualified_name(SNAPSHOT_ALIAS, *relation.split("."))


def _sql(name: str, **slots: str) -> str:
    return fill_slots(read_sql(__package__, name), slots)


def _relations(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(_sql("schema_tables"), {"schema": schema}).fetchall()
    return [name for (name,) in rows]


def _copy_dead_letters(con: duckdb.DuckDBPyConnection, target: str) -> None:
    present = "dead_letters" in _relations(con, "raw")
    if not present:
        from claude_analytics.core.contracts import DEAD_LETTER_SCHEMA

        con.register("no_dead_letters", DEAD_LETTER_SCHEMA.empty_table())
    source = qualified_name("raw", "dead_letters") if present else "no_dead_letters"
    con.execute(
        _sql("copy_dead_letters", target=target, source=source),
        {"preview_chars": DEAD_LETTER_PREVIEW_CHARS},
    )
    if not present:
        con.unregister("no_dead_letters")


def _copy_freshness(con: duckdb.DuckDBPyConnection, target: str, materialized: pa.Table) -> None:
    """Materialisation times, with the newest entry's time beside the raw table."""
    latest_entry = None
    if "conversations" in _relations(con, "raw"):
        (latest_entry,) = con.execute(_sql("latest_entry")).fetchone() or (None,)
    con.register("materialized", materialized)
    con.execute(_sql("copy_freshness", target=target), {"latest_entry_at": latest_entry})
    con.unregister("materialized")


def build_snapshot(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    check_results: pa.Table,
    materialized: pa.Table,
    run_id: str | None = None,
) -> SnapshotResult:
    """Copy the marts and the quality tables into a new file, then swap it in atomically.

    `con` is a connection to the writer's database; the copy runs inside it (ATTACH), so
    it needs the writer lock only for the time of the copy.
    """
    started = time.monotonic()
    snap = SNAPSHOT_ALIAS
    with replacing(target, companions=(".wal",)) as staging:
        con.execute(f"attach {_quote_path(staging)} as {snap}")
        try:
            for schema in COPIED_SCHEMAS:
                con.execute(f"create schema {snap}.{schema}")
                for name in _relations(con, schema):
                    con.execute(
                        _sql(
                            "copy_table",
                            target=qualified_name(snap, schema, name),
                            source=qualified_name(schema, name),
                        )
                    )
            con.execute(f"create schema {snap}.quality")
            _copy_dead_letters(con, _in_snapshot(QUALITY_DEAD_LETTERS))
            con.register("check_results", check_results)
            con.execute(
                _sql("copy_table", target=_in_snapshot(QUALITY_CHECKS), source="check_results")
            )
            con.unregister("check_results")
            _copy_freshness(con, _in_snapshot(QUALITY_FRESHNESS), materialized)
            con.execute(
                _sql("snapshot_info", target=_in_snapshot(SNAPSHOT_INFO)),
                {"built_at": datetime.now(UTC), "run_id": run_id},
            )
            rows = {found.relation: found.rows for found in relation_rows(con, database=snap)}
            con.execute(f"checkpoint {snap}")
        finally:
            # Detached before the swap (the file must be complete and closed) or before the
            # staging file and its WAL are deleted on an error.
            attached = {name for (name,) in con.execute(_sql("attached_databases")).fetchall()}
            if snap in attached:
                con.execute(f"detach {snap}")
    return SnapshotResult(
        path=target,
        rows=dict(sorted(rows.items())),
        bytes=target.stat().st_size,
        seconds=time.monotonic() - started,
    )


def open_snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: it sees the snapshot as it was when opened."""
    if not path.exists():
        raise FileNotFoundError(
            f"No serving snapshot at {path}: run `claude-analytics run` (or materialise "
            "serving/analytics_snapshot) first."
        )
    con = duckdb.connect(str(path), read_only=True)
    # Timestamps without a zone in the marts are UTC; casts must not use the machine's zone.
    con.execute("set TimeZone = 'UTC'")
    return con
