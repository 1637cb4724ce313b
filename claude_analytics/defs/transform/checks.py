"""Checks on the marts that dbt tests cannot express: totals reconciled with the raw layer,
and every token priced. One op runs both (one process and one connection, not two)."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.core.pricing.tables import sql
from claude_analytics.core.warehouse import reconcile
from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL

FCT_TOKEN_USAGE = dg.AssetKey(["marts", "fct_token_usage"])
TOKEN_TOTALS_MATCH_RAW = "token_totals_match_raw"
EVERY_TOKEN_IS_PRICED = "every_token_is_priced"


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            TOKEN_TOTALS_MATCH_RAW,
            asset=FCT_TOKEN_USAGE,
            blocking=True,
            description=(
                "Responses and the four token totals equal an independent recount from "
                "raw.conversations under the same (message.id, requestId) dedupe rule."
            ),
        ),
        dg.AssetCheckSpec(
            EVERY_TOKEN_IS_PRICED,
            asset=FCT_TOKEN_USAGE,
            blocking=False,
            description=(
                "Every token has a price: a model neither genai-prices nor "
                "price_overrides.csv knows fails this check (error, not blocking) instead of "
                "being costed at $0."
            ),
        ),
    ],
    pool=DUCKDB_WRITER_POOL,
)
def token_usage_checks(duckdb: DuckDBResource) -> Iterator[dg.AssetCheckResult]:
    with duckdb.get_connection() as con:
        expected = reconcile.recount_from_raw(con)
        actual = reconcile.mart_totals(con)
        unpriced = con.execute(sql("unpriced_tokens")).fetchall()
    yield dg.AssetCheckResult(
        check_name=TOKEN_TOTALS_MATCH_RAW,
        asset_key=FCT_TOKEN_USAGE,
        passed=expected == actual,
        metadata={**expected.as_metadata("raw"), **actual.as_metadata("mart")},
    )
    tokens = sum(int(row[2]) for row in unpriced)
    yield dg.AssetCheckResult(
        check_name=EVERY_TOKEN_IS_PRICED,
        asset_key=FCT_TOKEN_USAGE,
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
