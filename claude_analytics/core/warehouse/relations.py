"""Rows per relation of a DuckDB database, counted: what `run` and `status` print per
layer, what a backup records and a restore verifies, and what the serving snapshot
reports it copied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from claude_analytics.core.sql_files import fill_slots, read_sql


@dataclass(frozen=True)
class RelationRows:
    schema: str
    name: str
    rows: int

    @property
    def relation(self) -> str:
        """`schema.name`, the key backups and snapshot results use."""
        return f"{self.schema}.{self.name}"


def quote_identifier(name: str) -> str:
    """A name as a DuckDB identifier, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


def qualified_name(*parts: str) -> str:
    """`schema.name` (or `database.schema.name`) with every part quoted."""
    return ".".join(quote_identifier(part) for part in parts)


def count_rows(con: duckdb.DuckDBPyConnection, *parts: str) -> int:
    """Rows of the table or view named by `parts` (`schema, name`, or `database, schema,
    name`), counted."""
    sql = fill_slots(read_sql(__package__, "count_rows"), {"relation": qualified_name(*parts)})
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def relation_rows(
    con: duckdb.DuckDBPyConnection,
    schemas: Sequence[str] | None = None,
    database: str | None = None,
) -> list[RelationRows]:
    """Rows of every table and view in `schemas` (every schema when None) of `database`
    (the connection's current database when None).

    Ordered as `schemas` lists them (the pipeline's layers, upstream first), then by name;
    by schema name when `schemas` is None.
    """
    found = con.execute(
        read_sql(__package__, "relations"),
        {"database": database, "schemas": None if schemas is None else list(schemas)},
    ).fetchall()
    order = {schema: index for index, schema in enumerate(schemas or ())}
    within = (database,) if database else ()
    return [
        RelationRows(schema, name, count_rows(con, *within, schema, name))
        for schema, name in sorted(found, key=lambda row: (order.get(row[0], 0), row[0], row[1]))
    ]
