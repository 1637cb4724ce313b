"""Content hashes per partition: the proof that re-materialising a day changes nothing.

The hash covers every column of every row of the day, so two loads agree only when they
hold identical rows (DuckDB's row hash: stable for a given DuckDB version; an upgrade may
change every day's hash once, which only makes dbt re-derive those days). Columns that
name the run (dead letters' `run_id`) are left out: they differ by design.
"""

from __future__ import annotations

from datetime import date

import duckdb

from claude_analytics.core.sql_files import read_sql


def partition_hashes(
    con: duckdb.DuckDBPyConnection, relation: str, start: date, end: date
) -> dict[date, str]:
    """The sum of the hash of every row of the day, each row hashed whole.

    A sum of row hashes is a multiset hash: equal for the same rows in any order (and a
    repeated row still counts twice), so no sort of the day is needed to compute it. Rows
    are hashed with DuckDB's `hash()` over the typed values, three times faster than an md5
    of their text (the load hashes each window twice: before and after it replaces it).
    `relation` is a table or view name, qualified or not (DuckDB's `query_table`).
    """
    rows = con.execute(
        read_sql(__package__, "partition_hashes"),
        {"relation": relation, "start": start, "end": end},
    ).fetchall()
    return {day: digest for day, digest in rows}
