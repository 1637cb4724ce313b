"""DuckDB warehouse helpers: the raw tables and the one-transaction partition replace."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa

from claude_analytics.core.contracts import DEAD_LETTER_SCHEMA, ENTRY_SCHEMA
from claude_analytics.core.sql_files import fill_slots, read_sql
from claude_analytics.core.warehouse.relations import qualified_name, quote_identifier

RAW_TABLES: dict[str, pa.Schema] = {
    "raw.conversations": ENTRY_SCHEMA,
    "raw.dead_letters": DEAD_LETTER_SCHEMA,
}


# The days each load replaced, for the incremental dbt models (dbt_project/macros/window.sql).
LOADED_DAYS = "raw.loaded_days"


@dataclass(frozen=True)
class ReplacedWindow:
    """What a window replace did: rows inserted, each day's content hash after it, and the
    days whose rows differ from before (added, removed or changed): a day reloaded with
    the very same rows is not a change, so nothing downstream re-derives it."""

    rows: int
    hashes: dict[date, str]
    changed_days: frozenset[date]


def _sql(name: str, **slots: str) -> str:
    return fill_slots(read_sql(__package__, name), slots)


def _relation(table: str) -> str:
    """A key of RAW_TABLES (`raw.name`) as a quoted, qualified name."""
    return qualified_name(*table.split("."))


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and tables with the lake's column types; a table an older
    release created gains the columns added since (at its end, as in the lake)."""
    con.execute("create schema if not exists raw")
    for name, schema in RAW_TABLES.items():
        relation = _relation(name)
        con.register("empty_shape", schema.empty_table())
        con.execute(_sql("create_raw_table", relation=relation))
        present = set(con.table(name).columns)
        for column, column_type, *_ in con.execute("describe empty_shape").fetchall():
            if column not in present:
                con.execute(
                    _sql(
                        "add_column",
                        relation=relation,
                        column_name=quote_identifier(column),
                        column_type=column_type,
                    )
                )
        con.unregister("empty_shape")
    con.execute(_sql("create_loaded_days"))


def replace_window(
    con: duckdb.DuckDBPyConnection,
    table: str,
    start: date,
    end: date,
    rows: list[str] | Iterator[pa.RecordBatch],
    *,
    record_for_run: str | None = None,
) -> ReplacedWindow:
    """Delete the window and insert its rows; both happen in one transaction.

    `rows` is either the lake's Parquet files for the window (DuckDB reads them, streaming)
    or Arrow batches. A failure in the middle rolls back, so a partition is never half
    loaded. With `record_for_run`, the changed days are appended to `raw.loaded_days` in
    the same transaction, so dbt never sees rows without the note that they changed.
    """
    from claude_analytics.core.warehouse.fingerprint import partition_hashes

    schema = RAW_TABLES[table]
    slots = {
        "relation": _relation(table),
        "column_names": ", ".join(quote_identifier(name) for name in schema.names),
    }
    bounds = {"start": start, "end": end}
    con.execute("begin transaction")
    try:
        before = partition_hashes(con, table, start, end)
        con.execute(_sql("delete_window", relation=slots["relation"]), bounds)
        inserted = 0
        if isinstance(rows, list):
            if rows:  # read_parquet fails on an empty list
                inserted = _insert(con, _sql("insert_files", **slots), {**bounds, "files": rows})
        else:
            reader = pa.RecordBatchReader.from_batches(schema, (b.cast(schema) for b in rows))
            con.register("incoming", reader)
            inserted = _insert(con, _sql("insert_batches", **slots), {})
            con.unregister("incoming")
        after = partition_hashes(con, table, start, end)
        changed = {day for day in before.keys() | after.keys() if before.get(day) != after.get(day)}
        if record_for_run is not None and changed:
            con.execute(
                _sql("record_loaded_days"), {"days": sorted(changed), "run_id": record_for_run}
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return ReplacedWindow(rows=inserted, hashes=after, changed_days=frozenset(changed))


def _insert(con: duckdb.DuckDBPyConnection, sql: str, parameters: dict) -> int:
    """Run an INSERT (or DELETE) and return the row count it reports (no recount)."""
    row = con.execute(sql, parameters).fetchone()
    return int(row[0]) if row else 0


def counts_by_date(
    con: duckdb.DuckDBPyConnection, table: str, start: date, end: date
) -> dict[date, int]:
    rows = con.execute(
        _sql("counts_by_date"), {"relation": table, "start": start, "end": end}
    ).fetchall()
    return {day: int(n) for day, n in rows}


def drop_superseded_dead_letters(con: duckdb.DuckDBPyConnection, start: date, end: date) -> int:
    """Delete the dead letters, of any day, whose line is now an entry of the window (a line
    completed after a run read half of it), as the lake did (`core/lake/supersede.py`)."""
    return _insert(con, _sql("drop_superseded_dead_letters"), {"start": start, "end": end})
