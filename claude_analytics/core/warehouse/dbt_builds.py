"""Whether a dbt build has anything to do yet.

Until the first warehouse load that changed a day (`raw.loaded_days` is empty), every
model would be built from empty tables: dbt's start, its parse and 160 models and tests for
nothing, most of a run on a source without entries. Such a build is skipped; the first run
with entries builds everything. A build is never skipped once data has arrived: a run whose
window changed nothing still rebuilds (cheaply, the incremental models find no changed
day), so the marts' freshness says the pipeline is running, not only that data arrived.
"""

from __future__ import annotations

import duckdb

from claude_analytics.core.sql_files import read_sql


def warehouse_ever_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """True once a warehouse load has changed a day (entries or dead letters)."""
    table = con.execute(read_sql(__package__, "loaded_days_exists")).fetchone()
    if not table or not table[0]:
        return False
    row = con.execute(read_sql(__package__, "any_loaded_day")).fetchone()
    return bool(row and row[0])
