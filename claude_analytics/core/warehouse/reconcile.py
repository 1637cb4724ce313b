"""An independent recount of token totals straight from `raw.conversations`.

The dbt model fct_token_usage deduplicates streamed and replayed assistant entries and the
subagent responses echoed into parent sessions; this recount applies the same rule with
separately written SQL (sql/recount_from_raw.sql: a grouped `arg_max`, not the model's
window), so a regression in either shows up as a mismatch instead of a silent over- or
undercount.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from claude_analytics.core.sql_files import read_sql


@dataclass(frozen=True)
class TokenTotals:
    responses: int
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int

    def as_metadata(self, prefix: str) -> dict[str, int]:
        return {f"{prefix}_{name}": int(value) for name, value in vars(self).items()}


def _totals(con: duckdb.DuckDBPyConnection, query: str) -> TokenTotals:
    row = con.execute(read_sql(__package__, query)).fetchone()
    assert row is not None  # an aggregate without group by always returns one row
    return TokenTotals(*(int(value) for value in row))


def recount_from_raw(con: duckdb.DuckDBPyConnection) -> TokenTotals:
    """Responses and token totals as the raw entries say, deduplicated."""
    return _totals(con, "recount_from_raw")


def mart_totals(con: duckdb.DuckDBPyConnection) -> TokenTotals:
    """Responses and token totals as marts.fct_token_usage says."""
    return _totals(con, "mart_token_totals")
