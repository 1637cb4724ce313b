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
    """md5 over the day's rows, each row serialised whole, ordered by entry_id."""
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
        select event_date, md5(string_agg(md5({row_text}), '' order by entry_id))
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
