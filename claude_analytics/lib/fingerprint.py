"""Content hashes per partition: the proof that re-materialising a day changes nothing.

The hash covers every column of every row of the day, in a fixed order, so two loads agree
only when they hold identical rows. Columns that name the run (dead letters' `run_id`)
are left out: they differ by design.
"""

from __future__ import annotations

from datetime import date

import duckdb

RUN_COLUMNS = ("run_id",)


def partition_hashes(
    con: duckdb.DuckDBPyConnection, relation: str, start: date, end: date
) -> dict[date, str]:
    """The sum of the md5 of every row of the day, each row serialised whole.

    A sum of row hashes is a multiset hash: equal for the same rows in any order (and a
    repeated row still counts twice), so no sort of the day is needed to compute it.
    """
    columns = [
        row[0]
        for row in con.execute(f"select * from {relation} limit 0").description or ()
        if row[0] not in RUN_COLUMNS
    ]
    row_text = (
        "concat_ws('|', "
        + ", ".join(f"coalesce(cast({_quote(c)} as varchar), '\\N')" for c in columns)
        + ")"
    )
    rows = con.execute(
        f"""
        with row_hashes as (
            select event_date, md5_number({row_text}) as row_hash
            from {relation}
            where event_date >= $start and event_date < $end
        )
        select
            event_date,
            -- two 64-bit halves summed exactly (a 128-bit sum could overflow)
            printf(
                '%032x%032x',
                sum(row_hash >> 64)::hugeint,
                sum(row_hash & 18446744073709551615)::hugeint
            )
        from row_hashes
        group by event_date
        order by event_date
        """,
        {"start": start, "end": end},
    ).fetchall()
    return {day: digest for day, digest in rows}


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'
