"""Reference data the marts join on: model prices from the pinned price library."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.core.pricing.library import library_version
from claude_analytics.core.pricing.tables import build_reference_tables
from claude_analytics.core.warehouse import tables as warehouse
from claude_analytics.defs.asset_events import own_materialization
from claude_analytics.defs.resource_types import HomeResource
from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL, RAW_CONVERSATIONS

MODEL_PRICES = dg.AssetKey(["reference", "model_prices"])
MODEL_MATCHES = dg.AssetKey(["reference", "model_matches"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            MODEL_PRICES,
            description=(
                "USD per million tokens of every model genai-prices knows, by valid-from date "
                "and context tier, plus the local overrides (price_overrides.csv in the home)."
            ),
            kinds={"duckdb"},
            group_name="reference",
        ),
        dg.AssetSpec(
            MODEL_MATCHES,
            description=(
                "Each model id of the logs resolved to its price the way genai-prices resolves "
                "ids (dated, anthropic/, Bedrock, Vertex); unknown ids stay unpriced, never $0."
            ),
            deps=[RAW_CONVERSATIONS],
            kinds={"duckdb"},
            group_name="reference",
        ),
    ],
    pool=DUCKDB_WRITER_POOL,
    # lets `dagster asset materialize --partition-range` take it along with the dbt assets
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def model_prices(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, home: HomeResource
) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult]:
    overrides = home.layout().price_overrides_path
    with duckdb.get_connection() as con:
        warehouse.ensure_raw_tables(con)
        built = build_reference_tables(con, overrides)
    if built.unknown_models:
        context.log.warning(f"Models without a price: {built.unknown_models}")
    prices_metadata = {
        "price_library": f"genai-prices {library_version()}",
        "dagster/row_count": built.price_rows,
        "override_rows": built.overrides,
        "overrides_file": dg.MetadataValue.path(str(overrides)),
    }
    matches_metadata = {
        "dagster/row_count": len(built.models),
        "changed_models": built.changed_models,
        "unknown_models": dg.MetadataValue.json(built.unknown_models),
        "matches": dg.MetadataValue.json(
            {m.model_id: f"{m.provider_id}/{m.price_model_id}" for m in built.models}
        ),
    }
    for key, metadata in ((MODEL_PRICES, prices_metadata), (MODEL_MATCHES, matches_metadata)):
        yield from own_materialization(context, key, metadata)
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
