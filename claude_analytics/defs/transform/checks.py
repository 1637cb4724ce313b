"""Checks on the marts that dbt tests cannot express: totals reconciled with the raw layer."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL
from claude_analytics.lib import reconcile

FCT_TOKEN_USAGE = dg.AssetKey(["marts", "fct_token_usage"])


@dg.asset_check(
    asset=FCT_TOKEN_USAGE,
    blocking=True,
    pool=DUCKDB_WRITER_POOL,
    description=(
        "Responses and the four token totals equal an independent recount from "
        "raw.conversations under the same (message.id, requestId) dedupe rule."
    ),
)
def token_totals_match_raw(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        expected = reconcile.recount_from_raw(con)
        actual = reconcile.mart_totals(con)
    return dg.AssetCheckResult(
        passed=expected == actual,
        metadata={**expected.as_metadata("raw"), **actual.as_metadata("mart")},
    )
