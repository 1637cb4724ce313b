"""Rows per relation, counted the one way `run`, `status`, backups and the snapshot use."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from claude_analytics.core.contracts import DEAD_LETTER_SCHEMA, ENTRY_SCHEMA
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.warehouse.relations import RelationRows, relation_rows


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """
        create schema raw;
        create schema marts;
        create schema scratch;
        create table raw.conversations as select * from range(3);
        create table marts.fct_messages as select * from range(2);
        create view marts.agg_daily_summary as select 1 as day_count;
        create table scratch.ignored as select * from range(9);
        """
    )
    con.execute('create table marts."odd ""name""" as select * from range(4)')
    return con


def test_the_schemas_order_comes_first_then_names(con: duckdb.DuckDBPyConnection) -> None:
    assert relation_rows(con, ("raw", "marts")) == [
        RelationRows("raw", "conversations", 3),
        RelationRows("marts", "agg_daily_summary", 1),
        RelationRows("marts", "fct_messages", 2),
        RelationRows("marts", 'odd "name"', 4),
    ]


def test_without_schemas_every_schema_counts(con: duckdb.DuckDBPyConnection) -> None:
    found = {row.relation: row.rows for row in relation_rows(con)}
    assert found == {
        "marts.agg_daily_summary": 1,
        "marts.fct_messages": 2,
        'marts.odd "name"': 4,
        "raw.conversations": 3,
        "scratch.ignored": 9,
    }


def test_another_attached_database_is_counted_apart(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    con.execute(f"attach '{tmp_path / 'snapshot.duckdb'}' as snap")
    con.execute("create schema snap.quality; create table snap.quality.checks as select 1 as x")
    assert relation_rows(con, database="snap") == [RelationRows("quality", "checks", 1)]
    assert "quality.checks" not in {row.relation for row in relation_rows(con)}


def test_a_missing_schema_counts_nothing(con: duckdb.DuckDBPyConnection) -> None:
    assert relation_rows(con, ("staging",)) == []


def test_lake_tables_are_counted_by_scanning(tmp_path: Path) -> None:
    catalog = lake.open_catalog(tmp_path / "lake")
    assert lake.table_rows(catalog) == {}
    day = date(2026, 3, 10)
    entries = [
        {"entry_id": f"e{i}", "event_time": datetime(2026, 3, 10, tzinfo=UTC), "event_date": day}
        | {"raw_json": "{}"}
        for i in range(5)
    ]
    lake.ensure_table(catalog, lake.CONVERSATIONS).append(
        pa.Table.from_pylist(entries, schema=ENTRY_SCHEMA)
    )
    assert lake.table_rows(catalog) == {lake.CONVERSATIONS: 5}
    letter = {"entry_id": "bad", "event_date": day, "reason": "not JSON"}
    lake.ensure_table(catalog, lake.DEAD_LETTERS).append(
        pa.Table.from_pylist([letter], schema=DEAD_LETTER_SCHEMA)
    )
    assert lake.table_rows(catalog) == {lake.CONVERSATIONS: 5, lake.DEAD_LETTERS: 1}
