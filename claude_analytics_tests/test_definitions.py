"""The code location loads, with the asset keys DESIGN.md fixes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from claude_analytics.definitions import defs

REPO = Path(__file__).resolve().parents[1]

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


def test_seeds_are_a_group_that_follows_the_raw_load() -> None:
    """A UI backfill of the lake and everything downstream takes the seeds along, in the one
    run of every dbt model (as roots they ran apart and split the models over several runs)."""
    graph = defs().resolve_asset_graph()
    seed = graph.get(dg.AssetKey(["seeds", "tool_categories"]))
    assert seed.group_name == "seeds"
    assert seed.parent_keys == {dg.AssetKey(["raw", "conversations"])}


def test_dg_check_defs_loads_the_code_location() -> None:
    """`dg check defs` from the project root, as the runbook runs it after a model change."""
    from claude_analytics.commands.instance import ensure_dagster_home
    from claude_analytics.core.config import load_settings

    ensure_dagster_home(load_settings())  # the home `make run` and `make dev` set up
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dg"), "check", "defs"],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "All definitions loaded successfully" in completed.stdout + completed.stderr
    assert "warning" not in (completed.stdout + completed.stderr).lower()
