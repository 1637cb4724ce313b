"""The code location loads, with the asset keys DESIGN.md fixes."""

from __future__ import annotations

import dagster as dg

from claude_analytics.definitions import defs

EXPECTED_KEYS = {
    dg.AssetKey(["source", "claude_code_logs"]),
    dg.AssetKey(["lake", "raw", "conversations"]),
    dg.AssetKey(["lake", "raw", "dead_letters"]),
    dg.AssetKey(["raw", "conversations"]),
    dg.AssetKey(["raw", "dead_letters"]),
    dg.AssetKey(["staging", "stg_entries"]),
    dg.AssetKey(["marts", "agg_daily_summary"]),
}


def test_definitions_load_with_every_layer() -> None:
    definitions = defs()
    dg.Definitions.validate_loadable(definitions)
    keys = set(definitions.resolve_all_asset_keys())
    assert keys >= EXPECTED_KEYS
    assert definitions.resolve_job_def("full_pipeline") is not None


def test_dbt_models_sit_downstream_of_the_warehouse_raw_table() -> None:
    graph = defs().resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["staging", "stg_entries"])).parent_keys
    assert dg.AssetKey(["raw", "conversations"]) in upstream


def test_writers_of_the_duckdb_file_share_one_pool() -> None:
    graph = defs().resolve_asset_graph()
    for key in (dg.AssetKey(["raw", "conversations"]), dg.AssetKey(["staging", "stg_entries"])):
        assert graph.get(key).pools == {"duckdb_writer"}


def test_prices_are_a_reference_asset_the_costs_depend_on() -> None:
    graph = defs().resolve_asset_graph()
    prices, matches = (
        dg.AssetKey(["reference", "model_prices"]),
        dg.AssetKey(["reference", "model_matches"]),
    )
    for key in (prices, matches):
        node = graph.get(key)
        assert node.group_name == "reference" and node.pools == {"duckdb_writer"}
        assert node.partitions_def is None
    assert dg.AssetKey(["raw", "conversations"]) in graph.get(matches).parent_keys
    costs = graph.get(dg.AssetKey(["intermediate", "int_token_costs"])).parent_keys
    assert {prices, matches} <= costs
    check = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_token_usage"]), "every_token_is_priced")
    assert check in graph.asset_check_keys
    assert graph.get_check_spec(check).blocking is False
