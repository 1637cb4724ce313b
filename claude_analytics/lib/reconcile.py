"""An independent recount of token totals straight from `raw.conversations`.

The dbt model fct_token_usage deduplicates streamed and replayed assistant entries; this
recount applies the same rule with separately written SQL (a grouped `arg_max`, not the
model's window), so a regression in either shows up as a mismatch instead of a silent
over- or undercount.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

TOKEN_COLUMNS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)

# One API response is (message.id, requestId), message.id alone without a request id. Its
# counts are those of its copy with the largest token total (streaming grows output_tokens);
# at equal totals a main-chain copy is preferred to a sidechain replay.
_RECOUNT_SQL = """
    with assistant as (
        select
            message_id || ':' || coalesce(request_id, '') as response_key,
            [
                coalesce(input_tokens, 0),
                coalesce(output_tokens, 0),
                coalesce(cache_creation_input_tokens, 0),
                coalesce(cache_read_input_tokens, 0)
            ] as counts,
            coalesce(input_tokens, 0) + coalesce(output_tokens, 0)
                + coalesce(cache_creation_input_tokens, 0)
                + coalesce(cache_read_input_tokens, 0) as total,
            coalesce(is_sidechain, false) as sidechain
        from raw.conversations
        where entry_type = 'assistant' and message_id is not null
    ),
    responses as (
        select response_key, arg_max(counts, (total, not sidechain)) as counts
        from assistant
        group by response_key
    )
    select
        count(*),
        coalesce(sum(counts[1]), 0),
        coalesce(sum(counts[2]), 0),
        coalesce(sum(counts[3]), 0),
        coalesce(sum(counts[4]), 0)
    from responses
"""

_MART_SQL = f"""
    select count(*), {", ".join(f"coalesce(sum({c}), 0)" for c in TOKEN_COLUMNS)}
    from marts.fct_token_usage
"""


@dataclass(frozen=True)
class TokenTotals:
    responses: int
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int

    def as_metadata(self, prefix: str) -> dict[str, int]:
        return {f"{prefix}_{name}": int(value) for name, value in vars(self).items()}


def _totals(con: duckdb.DuckDBPyConnection, sql: str) -> TokenTotals:
    row = con.execute(sql).fetchone()
    assert row is not None  # an aggregate without group by always returns one row
    return TokenTotals(*(int(value) for value in row))


def recount_from_raw(con: duckdb.DuckDBPyConnection) -> TokenTotals:
    """Responses and token totals as the raw entries say, deduplicated."""
    return _totals(con, _RECOUNT_SQL)


def mart_totals(con: duckdb.DuckDBPyConnection) -> TokenTotals:
    """Responses and token totals as marts.fct_token_usage says."""
    return _totals(con, _MART_SQL)
