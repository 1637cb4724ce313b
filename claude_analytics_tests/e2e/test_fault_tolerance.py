"""A malformed corpus runs green end to end: bad lines in dead letters, exact parity,
no secret anywhere, and re-materialising a day reproduces identical rows."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pytest

from claude_analytics.commands.runner import run_full_pipeline
from claude_analytics.core.config import Settings, load_settings
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.warehouse.fingerprint import partition_hashes
from claude_analytics.definitions import defs
from claude_analytics_tests.conftest import (
    ISOLATED_VARIABLES,
    SMALL_SAMPLE,
    count_source_lines,
    entries_by_event_date,
)
from claude_analytics_tests.support import leak_search
from claude_analytics_tests.support.fault_corpus import SECRETS, FaultLine, write_fault_corpus
from claude_analytics_tests.support.secret_forms import FORMS, secret_lines

SECRET_FILE = "-home-dev-secrets/secret-session.jsonl"

FIRST = SMALL_SAMPLE.start
# sessions started on the last day run past midnight, as in e2e/test_pipeline.py
LAST = FIRST + timedelta(days=SMALL_SAMPLE.days)
FAULT_DAY = FIRST + timedelta(days=2)
LAKE_ASSET = dg.AssetKey(["lake", "raw", "conversations"])
pytestmark = pytest.mark.slow  # one module-scoped run of the whole graph


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
    logs: list[str]


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
    expected = write_fault_corpus(root, FAULT_DAY) | _write_secrets(root)
    captured = _LogCapture()
    logging.getLogger().addHandler(captured)
    with pytest.MonkeyPatch.context() as env:
        for variable in ISOLATED_VARIABLES:
            env.delenv(variable, raising=False)
        env.setenv("CLAUDE_ANALYTICS_HOME", str(base / "home"))
        env.setenv("DAGSTER_HOME", str(base / "home" / "dagster"))
        env.setenv("HOME", str(base / "user_home"))
        env.setenv("CLAUDE_LOGS_DIR", str(root))
        # the fault day is mostly broken on purpose (17 of its 31 lines): this module tests
        # dead-lettering, the rate gate itself is tested in e2e/test_quality_gates.py
        env.setenv("CLAUDE_ANALYTICS_MAX_DEAD_LETTER_RATE", "1.0")
        settings = load_settings()
        first = run_full_pipeline(defs(), settings, FIRST, LAST)
        before = _warehouse_hashes(settings)
        rerun = run_full_pipeline(defs(), settings, FAULT_DAY, FAULT_DAY)
        after = _warehouse_hashes(settings)
        lake_after = _lake_hashes(settings)
    logging.getLogger().removeHandler(captured)
    return FaultRun(
        settings, root, expected, first, rerun, before, after, lake_after, captured.lines
    )


class _LogCapture(logging.Handler):
    """Every log record of the runs (Dagster's, dbt's, the platform's), as printed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _write_secrets(root: Path) -> dict[tuple[str, int], FaultLine]:
    """Every secret form in every place of an entry, and in a cut line each."""
    path = root / SECRET_FILE
    path.parent.mkdir(parents=True)
    at = datetime.combine(FAULT_DAY, time(11), UTC)
    lines = secret_lines(at)
    path.write_bytes(b"\n".join(line for _, line, _ in lines) + b"\n")
    noon = datetime.combine(FAULT_DAY, time(12), UTC).timestamp()
    os.utime(path, (noon, noon))
    return {
        (SECRET_FILE, number): FaultLine(line, "invalid_json" if dead else None, label)
        for number, (label, line, dead) in enumerate(lines, start=1)
    }


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


def test_no_secret_is_anywhere_in_any_layer_the_dashboard_the_logs_or_the_event_log(
    fault_run: FaultRun,
) -> None:
    leaks = [*SECRETS.values(), *(leak for form in FORMS for leak in form.leaks)]
    # the lake's Parquet files, the warehouse (raw, staging, marts), the serving snapshot,
    # the dashboard's HTML, Dagster's event log and compute logs: everything under the home
    where = leak_search.find(fault_run.settings.home, leaks, fault_run.logs)
    assert where == []
    assert fault_run.logs  # the capture saw the runs' logs
    snapshot = fault_run.settings.serving_dir / "analytics.duckdb"
    dashboard = fault_run.settings.home / "dashboard" / "index.html"
    assert snapshot.exists() and dashboard.exists()
    assert _query(fault_run.settings, "select count(*) from raw.conversations "
                  "where raw_json like '%[REDACTED:%'")[0][0] > len(FORMS) * 12  # fmt: skip


def test_the_lake_asset_counts_redactions_per_rule(fault_run: FaultRun) -> None:
    materialization = fault_run.first.asset_materializations_for_node("lake_raw")
    lake_meta = next(m for m in materialization if m.asset_key == LAKE_ASSET).metadata
    by_kind = lake_meta["redacted_by_kind"].value
    assert lake_meta["redacted_values"].value == sum(by_kind.values())
    # the fault corpus's four, then 19 of each form: once in a prompt, a tool input and a
    # dead letter, twice in a tool result (content, stdout) and a patch (new text, lines),
    # each of the 4 x 3 entries at the start, middle and end of a line
    assert by_kind["json_web_token"] == 19 and by_kind["google_api_key"] == 19
    assert by_kind["aws_access_key"] == 1 + 19 + 19  # the access key and the STS key id
    assert by_kind["api_key"] == 2 + 19


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

    # wide enough that no row wraps, whatever the length of the temporary paths it shows
    outcome = CliRunner().invoke(
        app,
        ["dead-letters", "--examples", "3"],
        env={"CLAUDE_ANALYTICS_HOME": str(fault_run.settings.home), "COLUMNS": "1000"},
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
