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
