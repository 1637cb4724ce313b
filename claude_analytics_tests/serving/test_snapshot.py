"""The serving snapshot: a faithful copy, swapped atomically, never blocked by a reader."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from claude_analytics.core.serving import snapshot as serving
from claude_analytics.defs.serving.quality import CHECK_RESULTS_SCHEMA, MATERIALIZATIONS_SCHEMA
from claude_analytics_tests.serving.conftest import (
    Served,
    isolate,
    materialize_serving,
    warehouse_rows,
)

# Holds the snapshot open read-only and answers one count per line read on stdin.
READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
for _ in sys.stdin:
    print(con.execute("select count(*) from marts.agg_daily_summary").fetchone()[0], flush=True)
"""


def _fingerprints(path: Path, schema: str) -> dict[str, tuple[int, int]]:
    """Rows and an order-independent content hash of every table in a schema."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            n
            for (n,) in con.execute(
                "select table_name from information_schema.tables where table_schema = $s",
                {"s": schema},
            ).fetchall()
        ]
        return {
            name: tuple(
                con.execute(
                    f'select count(*), coalesce(sum(hash(t)), 0) from {schema}."{name}" as t'
                ).fetchone()
            )
            for name in names
        }


def test_snapshot_is_an_exact_copy_of_the_marts(served: Served) -> None:
    marts = _fingerprints(served.warehouse, "marts")
    assert "agg_daily_summary" in marts
    assert _fingerprints(served.snapshot, "marts") == marts
    assert not list(served.snapshot.parent.glob(".*.tmp*")), "a staging file was left behind"


def test_snapshot_carries_the_quality_tables(served: Served) -> None:
    [(dead_letters,)] = warehouse_rows(served.warehouse, "select count(*) from raw.dead_letters")
    [(latest_entry,)] = warehouse_rows(
        served.warehouse, "select max(event_time) from raw.conversations"
    )
    [(copied_letters,)] = warehouse_rows(
        served.snapshot, "select count(*) from quality.dead_letters"
    )
    assert copied_letters == dead_letters
    checks = dict(
        (f"{asset}:{name}", passed)
        for asset, name, passed in warehouse_rows(
            served.snapshot, "select asset_key, check_name, passed from quality.check_results"
        )
    )
    assert checks["raw/conversations:matches_lake"] is True
    assert any(key.startswith("staging/stg_entries:") for key in checks), checks
    freshness = {
        asset: (materialized, latest)
        for asset, materialized, latest in warehouse_rows(
            served.snapshot,
            "select asset_key, last_materialized_at, latest_data_at from quality.freshness",
        )
    }
    assert freshness["raw/conversations"][1] == latest_entry
    assert freshness["marts/agg_daily_summary"][0] is not None


def test_a_reader_holding_the_snapshot_never_blocks_a_rebuild(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = isolate(monkeypatch, tmp_path)
    home.mkdir(parents=True)
    warehouse = home / "analytics.duckdb"
    shutil.copyfile(served.warehouse, warehouse)
    shutil.copytree(served.home / "dagster", home / "dagster")
    assert materialize_serving(warehouse).success
    snapshot = home / "serving" / "analytics.duckdb"
    [(days,)] = warehouse_rows(snapshot, "select count(*) from marts.agg_daily_summary")

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(snapshot)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdin and reader.stdout
        reader.stdin.write("count\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == days

        with duckdb.connect(str(warehouse)) as con:
            con.execute(
                "delete from marts.agg_daily_summary "
                "where event_date = (select min(event_date) from marts.agg_daily_summary)"
            )
        started = time.monotonic()
        assert materialize_serving(warehouse).success
        rebuild_seconds = time.monotonic() - started

        reader.stdin.write("count\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == days, "the open reader kept its snapshot"
        assert reader.poll() is None
    finally:
        reader.kill()
        reader.wait()
    [(now,)] = warehouse_rows(snapshot, "select count(*) from marts.agg_daily_summary")
    assert now == days - 1, "a new reader sees the new snapshot"
    assert rebuild_seconds < 60


def test_checks_a_run_in_flight_has_planned_leave_the_snapshot_to_the_completed_ones(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second run starts while the first has planned its checks (a UI materialization of the
    dbt layers, created with its plan; or one whose process died before evaluating them):
    the snapshot still builds and reports each check's latest completed evaluation."""
    import dagster as dg

    from claude_analytics.commands.instance import get_instance
    from claude_analytics.core.config import load_settings
    from claude_analytics.definitions import defs

    home = isolate(monkeypatch, tmp_path)
    home.mkdir(parents=True)
    warehouse = home / "analytics.duckdb"
    shutil.copyfile(served.warehouse, warehouse)
    shutil.copytree(served.home / "dagster", home / "dagster")
    query = "select asset_key, check_name, passed, run_id from quality.check_results order by all"
    before = warehouse_rows(served.snapshot, query)
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    instance = get_instance(load_settings())
    in_flight = instance.create_run_for_job(
        definitions.resolve_implicit_global_asset_job_def(),  # what the UI's Materialize runs
        asset_selection=dg.AssetSelection.groups("staging", "intermediate", "marts").resolve(graph),
        status=dg.DagsterRunStatus.STARTED,
    )
    planned = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        list(graph.asset_check_keys)
    )
    assert sum(record.run_id == in_flight.run_id for record in planned.values()) > 100

    assert materialize_serving(warehouse).success
    after = warehouse_rows(home / "serving" / "analytics.duckdb", query)
    assert after == before
    assert in_flight.run_id not in {run_id for *_, run_id in after}


def test_a_failed_build_keeps_the_previous_snapshot(served: Served, tmp_path: Path) -> None:
    target = tmp_path / "serving" / "analytics.duckdb"
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(served.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        serving.build_snapshot(
            con, target, CHECK_RESULTS_SCHEMA.empty_table(), MATERIALIZATIONS_SCHEMA.empty_table()
        )
        before = target.read_bytes()
        broken = pa.table({"unexpected": [1]})  # the freshness copy needs asset_key
        with pytest.raises(duckdb.Error):
            serving.build_snapshot(con, target, CHECK_RESULTS_SCHEMA.empty_table(), broken)
        attached = {
            n for (n,) in con.execute("select database_name from duckdb_databases()").fetchall()
        }
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["analytics.duckdb"]
    assert serving.SNAPSHOT_ALIAS not in attached
