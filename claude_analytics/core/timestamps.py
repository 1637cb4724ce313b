"""How an entry's timestamp text becomes an instant, the same in every step that dates one.

Claude Code writes UTC; a timestamp without a zone is UTC too. DuckDB's `timestamptz`
cast reads a zone-less text in the session's TimeZone, which defaults to the host's `TZ`,
so a laptop and a UTC container would date the same entry differently: connections that
date entries are set to UTC. RFC 3339 allows a lowercase `t` and `z`, which DuckDB's
cast rejects; a text the cast refuses is tried again in capitals. In SQL that rule is the
macro `instant(text)` (`sql/instant.sql`), which every such connection defines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import duckdb

from claude_analytics.core.sql_files import read_sql


def utc_connection(config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that reads zone-less timestamps as UTC and dates a
    timestamp text with `instant(text)`."""
    con = duckdb.connect(config=config or {})
    con.execute("set TimeZone = 'UTC'")
    con.execute(read_sql(__package__, "instant"))
    return con


def day_of(text: str) -> date | None:
    """The UTC day of a timestamp text, for Python paths; None when it does not parse."""
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()
