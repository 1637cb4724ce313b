"""A malformed corpus runs green end to end: bad lines in dead letters, exact parity,
no secret anywhere, and re-materialising a day reproduces identical rows."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pytest

from claude_analytics.definitions import defs
from claude_analytics.lib import lake
from claude_analytics.lib.fingerprint import partition_hashes
from claude_analytics.lib.pipeline import run_full_pipeline
from claude_analytics.lib.settings import Settings, load_settings
from claude_analytics_tests.conftest import (
    ISOLATED_VARIABLES,
    SMALL_SAMPLE,
    count_source_lines,
    entries_by_event_date,
)
from claude_analytics_tests.fault_corpus import SECRETS, FaultLine, write_fault_corpus

FIRST = SMALL_SAMPLE.start
# sessions started on the last day run past midnight, as in test_pipeline_e2e
LAST = FIRST + timedelta(days=SMALL_SAMPLE.days)
FAULT_DAY = FIRST + timedelta(days=2)
LAKE_ASSET = dg.AssetKey(["lake", "raw", "conversations"])


@dataclass
class FaultRun:
    settings: Settings
    root: Path
    expected: dict[tuple[str, int], FaultLine]
    first: dg.ExecuteInProcessResult
    rerun: dg.ExecuteInProcessResult
    hashes_before: dict[str, dict[date, str]]
    hashes_after: dict[str, dict[date, str]]
    lake_hashes_after: dict[str, dict[date, str]]


def _warehouse_hashes(settings: Settings) -> dict[str, dict[date, str]]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        return {
            table: partition_hashes(con, table, FIRST, LAST + timedelta(days=1))
            for table in ("raw.conversations", "raw.dead_letters")
        }


def _lake_hashes(settings: Settings) -> dict[str, dict[date, str]]:
    """The same hash over the Iceberg tables: the lake and the warehouse hold equal rows."""
    catalog = lake.open_catalog(settings.lake_dir)
    hashes = {}
    for identifier, name in (
        (lake.CONVERSATIONS, "raw.conversations"),
        (lake.DEAD_LETTERS, "raw.dead_letters"),
    ):
        rows = catalog.load_table(identifier).scan().to_arrow()
        with duckdb.connect() as con:
            con.register("lake_rows", pa.Table.from_batches(rows.to_batches(), rows.schema))
            hashes[name] = partition_hashes(con, "lake_rows", FIRST, LAST + timedelta(days=1))
    return hashes


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory, small_sample_master: Path) -> FaultRun:
    base = tmp_path_factory.mktemp("fault_run")
    root = base / "projects"
    shutil.copytree(small_sample_master, root)
    expected = write_fault_corpus(root, FAULT_DAY)
    with pytest.MonkeyPatch.context() as env:
        for variable in ISOLATED_VARIABLES:
            env.delenv(variable, raising=False)
        env.setenv("CLAUDE_ANALYTICS_HOME", str(base / "home"))
        env.setenv("DAGSTER_HOME", str(base / "home" / "dagster"))
        env.setenv("HOME", str(base / "user_home"))
        env.setenv("CLAUDE_LOGS_DIR", str(root))
        # the fault day is mostly broken on purpose (17 of its 31 lines): this module tests
        # dead-lettering, the rate gate itself is tested in test_quality_gates.py
        env.setenv("CLAUDE_ANALYTICS_MAX_DEAD_LETTER_RATE", "1.0")
        settings = load_settings()
        first = run_full_pipeline(defs(), settings, FIRST, LAST)
        before = _warehouse_hashes(settings)
        rerun = run_full_pipeline(defs(), settings, FAULT_DAY, FAULT_DAY)
        after = _warehouse_hashes(settings)
        lake_after = _lake_hashes(settings)
    return FaultRun(settings, root, expected, first, rerun, before, after, lake_after)


def _query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_the_malformed_corpus_runs_green(fault_run: FaultRun) -> None:
    assert fault_run.first.success
    assert fault_run.rerun.success
    evaluations = {e.check_name: e for e in fault_run.first.get_asset_check_evaluations()}
    for name in ("batch_schema", "source_parity", "dead_letter_rate", "matches_lake"):
        assert evaluations[name].passed, name
    drift = evaluations["schema_drift"]
    assert not drift.passed  # a warning: the run is still green
    assert set(drift.metadata["new_entry_types"].value) == {"agent-telemetry"}
    assert "telemetryBlob" in drift.metadata["new_fields"].value


def test_each_bad_line_is_a_dead_letter_with_its_reason(fault_run: FaultRun) -> None:
    letters = {
        (source_file, line_number): reason
        for source_file, line_number, reason in _query(
            fault_run.settings, "select source_file, line_number, reason from raw.dead_letters"
        )
    }
    assert letters == {key: line.reason for key, line in fault_run.expected.items() if line.reason}
    run_ids = _query(fault_run.settings, "select distinct run_id from raw.dead_letters")
    assert run_ids == [(fault_run.rerun.run_id,)]  # the fault day was last loaded by the rerun
    assert _query(fault_run.settings, "select distinct event_date from raw.dead_letters") == [
        (FAULT_DAY,)
    ]


def test_parity_is_exact_in_every_layer(fault_run: FaultRun) -> None:
    source_lines = count_source_lines(fault_run.root)
    assert source_lines == SMALL_SAMPLE.entries + len(fault_run.expected)
    bad = sum(1 for line in fault_run.expected.values() if line.reason)
    catalog = lake.open_catalog(fault_run.settings.lake_dir)
    lake_rows = (
        catalog.load_table(lake.CONVERSATIONS)
        .scan(selected_fields=("entry_id",))
        .to_arrow()
        .num_rows
    )
    lake_letters = (
        catalog.load_table(lake.DEAD_LETTERS)
        .scan(selected_fields=("entry_id",))
        .to_arrow()
        .num_rows
    )
    assert (lake_rows, lake_letters) == (source_lines - bad, bad)
    [(rows, letters)] = _query(
        fault_run.settings,
        "select (select count(*) from raw.conversations), (select count(*) from raw.dead_letters)",
    )
    assert (rows, letters) == (source_lines - bad, bad)
    # duplicate uuids across files are two source entries, so both are kept in raw
    assert _query(
        fault_run.settings, "select count(*) from raw.conversations where uuid = 'fault-0001'"
    ) == [(2,)]


def test_no_secret_reaches_the_lake_or_the_warehouse(fault_run: FaultRun) -> None:
    for secret in SECRETS.values():
        hits = _query(
            fault_run.settings,
            "select (select count(*) from raw.conversations where contains(raw_json, $1))"
            " + (select count(*) from raw.dead_letters where contains(raw_text, $1))",
            [secret],
        )
        assert hits == [(0,)]
    materialization = fault_run.first.asset_materializations_for_node("lake_raw")
    lake_meta = next(m for m in materialization if m.asset_key == LAKE_ASSET).metadata
    assert lake_meta["redacted_values"].value == 4
    assert lake_meta["redacted_by_kind"].value == {
        "aws_access_key": 1,
        "github_token": 1,
        "api_key": 2,
    }


def test_rematerialising_a_day_leaves_identical_rows(
    fault_run: FaultRun, small_sample_master: Path
) -> None:
    assert fault_run.hashes_after == fault_run.hashes_before
    assert FAULT_DAY in fault_run.hashes_after["raw.dead_letters"]
    days = set(entries_by_event_date(small_sample_master))
    assert set(fault_run.hashes_after["raw.conversations"]) == days | {FAULT_DAY}
    # the lake holds the very same rows as the warehouse, day by day
    assert fault_run.lake_hashes_after == fault_run.hashes_after
    rerun_meta = next(
        m
        for m in fault_run.rerun.asset_materializations_for_node("warehouse_raw")
        if m.asset_key == dg.AssetKey(["raw", "conversations"])
    ).metadata
    assert rerun_meta["content_hash_by_day"].value == {
        FAULT_DAY.isoformat(): fault_run.hashes_before["raw.conversations"][FAULT_DAY]
    }


def test_the_dead_letters_command_counts_each_reason(fault_run: FaultRun) -> None:
    from typer.testing import CliRunner

    from claude_analytics.cli import app

    outcome = CliRunner().invoke(
        app,
        ["dead-letters", "--examples", "3"],
        env={"CLAUDE_ANALYTICS_HOME": str(fault_run.settings.home), "COLUMNS": "200"},
    )
    assert outcome.exit_code == 0, outcome.output
    expected: dict[str, int] = {}
    for line in fault_run.expected.values():
        if line.reason:
            expected[line.reason] = expected.get(line.reason, 0) + 1
    rows = {
        cells[0]: int(cells[1].replace(",", ""))
        for cells in (
            [c.strip() for c in line.split("│")[1:-1]] for line in outcome.output.splitlines()
        )
        if len(cells) == 5 and cells[0] in expected
    }
    assert rows == expected
    assert f"Dead letters ({sum(expected.values())})" in outcome.output
