"""DuckDB warehouse helpers: the raw tables and the one-transaction partition replace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import duckdb
import pyarrow as pa

from claude_analytics.lib.parsing import DEAD_LETTER_SCHEMA, ENTRY_SCHEMA

RAW_TABLES: dict[str, pa.Schema] = {
    "raw.conversations": ENTRY_SCHEMA,
    "raw.dead_letters": DEAD_LETTER_SCHEMA,
}


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and tables with the lake's column types."""
    con.execute("create schema if not exists raw")
    for name, schema in RAW_TABLES.items():
        con.register("empty_shape", schema.empty_table())
        con.execute(f"create table if not exists {name} as select * from empty_shape")
        con.unregister("empty_shape")


def replace_window(
    con: duckdb.DuckDBPyConnection,
    table: str,
    start: date,
    end: date,
    rows: list[str] | Iterator[pa.RecordBatch],
) -> int:
    """Delete the window and insert its rows; both happen in one transaction.

    `rows` is either the lake's Parquet files for the window (DuckDB reads them, streaming)
    or Arrow batches. A failure in the middle rolls back, so a partition is never half
    loaded.
    """
    schema = RAW_TABLES[table]
    columns = ", ".join(f'"{name}"' for name in schema.names)
    bounds = {"start": start, "end": end}
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {table} where event_date >= $start and event_date < $end", bounds)
        inserted = 0
        if isinstance(rows, list):
            if rows:  # read_parquet fails on an empty list
                inserted = _insert(
                    con,
                    f"insert into {table} ({columns}) select {columns} from read_parquet($files) "
                    "where event_date >= $start and event_date < $end",
                    {**bounds, "files": rows},
                )
        else:
            reader = pa.RecordBatchReader.from_batches(schema, (b.cast(schema) for b in rows))
            con.register("incoming", reader)
            inserted = _insert(
                con, f"insert into {table} ({columns}) select {columns} from incoming", {}
            )
            con.unregister("incoming")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return inserted


def _insert(con: duckdb.DuckDBPyConnection, sql: str, parameters: dict) -> int:
    """Run an INSERT (or DELETE) and return the row count it reports (no recount)."""
    row = con.execute(sql, parameters).fetchone()
    return int(row[0]) if row else 0


def counts_by_date(
    con: duckdb.DuckDBPyConnection, table: str, start: date, end: date
) -> dict[date, int]:
    rows = con.execute(
        f"select event_date, count(*) from {table} "
        "where event_date >= $start and event_date < $end group by 1",
        {"start": start, "end": end},
    ).fetchall()
    return {day: int(n) for day, n in rows}


def drop_superseded_dead_letters(con: duckdb.DuckDBPyConnection, start: date, end: date) -> int:
    """Delete the dead letters, of any day, whose line is now an entry of the window (a line
    completed after a run read half of it), as the lake did (`lib/supersede.py`)."""
    return _insert(
        con,
        "delete from raw.dead_letters where entry_id in ("
        "select entry_id from raw.conversations where event_date >= $start and event_date < $end)",
        {"start": start, "end": end},
    )
