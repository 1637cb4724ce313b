"""Checks on the marts that dbt tests cannot express: totals reconciled with the raw layer,
and every token priced."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL
from claude_analytics.lib import reconcile
from claude_analytics.lib.pricing.tables import sql

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


@dg.asset_check(
    asset=FCT_TOKEN_USAGE,
    blocking=False,
    pool=DUCKDB_WRITER_POOL,
    description=(
        "Every token has a price: a model neither genai-prices nor price_overrides.csv knows "
        "fails this check (error, not blocking) instead of being costed at $0."
    ),
)
def every_token_is_priced(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        unpriced = con.execute(sql("unpriced_tokens")).fetchall()
    tokens = sum(int(row[2]) for row in unpriced)
    return dg.AssetCheckResult(
        passed=not unpriced,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            f"{tokens:,} tokens of {len(unpriced)} model(s) have no price: add them to "
            "price_overrides.csv in the analytics home"
            if unpriced
            else "Every token is priced."
        ),
        metadata={
            "unpriced_tokens": tokens,
            "unpriced_models": dg.MetadataValue.json(
                {model: {"responses": int(n), "tokens": int(t)} for model, n, t in unpriced}
            ),
        },
    )
