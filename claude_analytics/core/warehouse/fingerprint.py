"""Content hashes per partition: the proof that re-materialising a day changes nothing.

The hash covers every column of every row of the day, so two loads agree only when they
hold identical rows (DuckDB's row hash: stable for a given DuckDB version; an upgrade may
change every day's hash once, which only makes dbt re-derive those days). Columns that
name the run (dead letters' `run_id`) are left out: they differ by design.
"""

from __future__ import annotations

from datetime import date

import duckdb

RUN_COLUMNS = ("run_id",)


def partition_hashes(
    con: duckdb.DuckDBPyConnection, relation: str, start: date, end: date
) -> dict[date, str]:
    """The sum of the hash of every row of the day, each row hashed whole.

    A sum of row hashes is a multiset hash: equal for the same rows in any order (and a
    repeated row still counts twice), so no sort of the day is needed to compute it. Rows
    are hashed with DuckDB's `hash()` over the typed values, three times faster than an md5
    of their text (the load hashes each window twice: before and after it replaces it).
    """
    columns = [
        row[0]
        for row in con.execute(f"select * from {relation} limit 0").description or ()
        if row[0] not in RUN_COLUMNS
    ]
    row_hash = "hash(" + ", ".join(_quote(c) for c in columns) + ")"
    rows = con.execute(
        f"""
        select event_date, printf('%032x', sum({row_hash})::hugeint)
        from {relation}
        where event_date >= $start and event_date < $end
        group by event_date
        order by event_date
        """,
        {"start": start, "end": end},
    ).fetchall()
    return {day: digest for day, digest in rows}


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'
