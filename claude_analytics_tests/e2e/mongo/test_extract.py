"""The MongoDB extract against a real server: parity with the JSONL path, clean failure."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pytest

import claude_analytics.defs.lake.assets as lake_assets
import claude_analytics.defs.resources as bound_resources
from claude_analytics.commands.runner import run_full_pipeline
from claude_analytics.core.config import Settings, load_settings
from claude_analytics.core.contracts import ENTRY_SCHEMA
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics.core.sources.mongo.sync import sync_directory
from claude_analytics.definitions import defs
from claude_analytics.defs.resource_types import MongoResource
from claude_analytics_tests.conftest import SMALL_SAMPLE, count_source_lines
from claude_analytics_tests.support.mongo_server import MongoServer
from claude_analytics_tests.support.warehouse_build import BuiltWarehouse, pipeline_env

FIRST = SMALL_SAMPLE.start
LAST = date.fromordinal(FIRST.toordinal() + SMALL_SAMPLE.days)
# Columns a source decides by itself: the id scheme, line numbers (MongoDB has none), the
# ingestion time; event times are compared separately (undated entries differ by design).
SOURCE_OWN = {"entry_id", "line_number", "ingested_at", "event_time", "event_date"}


@dataclass(frozen=True)
class Layers:
    conversations: pa.Table
    staging_rows: int
    mart_entries: int


def read_layers(settings: Settings) -> Layers:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        return Layers(
            conversations=con.execute("select * from raw.conversations").to_arrow_table(),
            staging_rows=int(con.execute("select count(*) from staging.stg_entries").fetchone()[0]),
            mart_entries=int(
                con.execute("select sum(entries) from marts.agg_daily_summary").fetchone()[0]
            ),
        )


@pytest.fixture(scope="module")
def jsonl_reference(jsonl_warehouse: BuiltWarehouse) -> Layers:
    """The JSONL path's result for the small sample: the session's shared JSONL build of
    it over the same window (conftest.py), read once for the module."""
    with pipeline_env(jsonl_warehouse.home, jsonl_warehouse.logs_dir):
        return read_layers(load_settings())


def assert_row_parity(mongo: pa.Table, jsonl: pa.Table, synced_on: date) -> None:
    """Every JSONL row has exactly one MongoDB row (its id's first 24 hex digits), equal in
    every column the source does not decide itself, raw_json byte for byte."""
    assert mongo.num_rows == jsonl.num_rows
    compared = [name for name in ENTRY_SCHEMA.names if name not in SOURCE_OWN]
    same = " and ".join(f"m.{c} is not distinct from j.{c}" for c in compared)
    with duckdb.connect() as con:
        con.register("m", mongo)
        con.register("j", jsonl)
        matched, equal, dated_right = con.execute(
            f"""
            select
                count(*),
                count(*) filter (where {same}),
                count(*) filter (where case
                    when j.timestamp is not null
                        then m.event_time = j.event_time and m.event_date = j.event_date
                    else m.event_date = $synced_on
                end)
            from m join j on m.entry_id = left(j.entry_id, 24)
            """,
            {"synced_on": synced_on},
        ).fetchone()
    assert (matched, equal, dated_right) == (jsonl.num_rows,) * 3


def test_mongodb_extract_equals_the_jsonl_extract(
    small_sample: Path, mongo_env: MongoTarget, jsonl_reference: Layers, run_pipeline, monkeypatch
) -> None:
    monkeypatch.delenv("CLAUDE_LOGS_DIR")
    report = sync_directory(mongo_env, small_sample)
    assert report.inserted == count_source_lines(small_sample) and report.reencoded == 0
    today = datetime.now(UTC).date()

    # Undated entries are dated by ingestedAt (today), so the window runs up to today.
    run_pipeline(FIRST, today)

    mongo = read_layers(load_settings())
    assert_row_parity(mongo.conversations, jsonl_reference.conversations, today)
    assert mongo.staging_rows == jsonl_reference.staging_rows == SMALL_SAMPLE.entries
    assert mongo.mart_entries == jsonl_reference.mart_entries == SMALL_SAMPLE.entries


@pytest.fixture
def impatient_mongo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small batches and short timeouts, so a stopped server fails the run in seconds."""

    def bind(settings: Settings) -> MongoResource:
        return MongoResource(
            uri=dg.EnvVar("MONGO_URI"),
            database=settings.mongo_db,
            collection=settings.mongo_collection,
            batch_size=100,
            timeout_ms=1_000,
            retries=1,
            backoff_seconds=0.1,
        )

    monkeypatch.setattr(bound_resources, "mongo_resource", bind)


def lake_state(settings: Settings) -> tuple[int | None, int]:
    table = lake.open_catalog(settings.lake_dir).load_table(lake.CONVERSATIONS)
    snapshot = table.current_snapshot()
    rows = table.scan(selected_fields=("entry_id",)).to_arrow().num_rows
    return (snapshot.snapshot_id if snapshot else None), rows


def warehouse_fingerprint(settings: Settings) -> tuple[int, int]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        count, digest = con.execute(
            "select count(*), coalesce(sum(hash(entry_id, raw_json)), 0) from raw.conversations"
        ).fetchone()
    return int(count), int(digest)


@pytest.mark.slow
def test_a_server_stopped_mid_extract_fails_the_run_and_leaves_nothing_partial(
    small_sample: Path,
    mongo_server: MongoServer,
    mongo_env: MongoTarget,
    jsonl_reference: Layers,
    impatient_mongo: None,
    monkeypatch: pytest.MonkeyPatch,
    run_pipeline,
) -> None:
    if not mongo_server.managed:
        pytest.skip("MONGO_TEST_URI points at a server these tests cannot stop and restart")
    monkeypatch.delenv("CLAUDE_LOGS_DIR")
    today = datetime.now(UTC).date()
    projects = sorted(p for p in small_sample.iterdir() if p.is_dir())
    first_half = small_sample.parent / "first_half"
    for project in projects[: len(projects) // 2]:
        shutil.copytree(project, first_half / project.name)
    sync_directory(mongo_env, first_half)
    run_pipeline(FIRST, today)
    settings = load_settings()
    before_lake, before_warehouse = lake_state(settings), warehouse_fingerprint(settings)
    assert before_lake[1] == before_warehouse[0] == count_source_lines(first_half)

    sync_directory(mongo_env, small_sample)
    with monkeypatch.context() as hooks:
        hooks.setattr(lake_assets, "parse_batch", _stopping_parse(mongo_server))
        result = run_full_pipeline(defs(), settings, FIRST, today)
    assert not result.success
    message = failure_text(result)
    assert "failed after 2 attempt(s)" in message  # one retry inside the source, as configured
    assert f"at {mongo_server.uri.rstrip('/')}" in message and "MONGO_URI" in message
    assert lake_state(settings) == before_lake
    assert warehouse_fingerprint(settings) == before_warehouse

    mongo_server.start()
    run_pipeline(FIRST, today)
    assert_row_parity(read_layers(settings).conversations, jsonl_reference.conversations, today)


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    """Every error message of the run's step failures, causes included (retries wrap them)."""
    texts: list[str] = []
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        error = event.event_specific_data.error
        while error is not None:
            texts.append(error.message)
            error = error.cause or error.context
    return "\n".join(texts)


def _stopping_parse(server: MongoServer):
    """parse_batch that stops the server while the extract is between its batches."""
    original = lake_assets.parse_batch
    calls: list[int] = []

    def parse(batch, *args, **kwargs):
        calls.append(batch.num_rows)
        if len(calls) == 2:
            server.stop()
        return original(batch, *args, **kwargs)

    return parse
