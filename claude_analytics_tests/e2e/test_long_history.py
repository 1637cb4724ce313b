"""A history whose few sessions lie far apart: a run costs its data, not its calendar.

Real `~/.claude/projects` folders span months with quiet weeks between; the run over such a
history used to plan a materialization of every asset for every day in between (16,000
events for nine months) before any step ran. These tests hold the run to the days that
have data, counted in Dagster's own event log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from claude_analytics.commands.instance import get_instance
from claude_analytics.commands.runner import run_full_pipeline, source_date_range
from claude_analytics.core.config import load_settings
from claude_analytics.core.sources.sample.generator import SampleSpec, generate
from claude_analytics.definitions import defs
from claude_analytics.defs.resources import source_resource
from claude_analytics_tests.conftest import count_source_lines, entries_by_event_date
from claude_analytics_tests.support.warehouse_build import (
    BuiltWarehouse,
    PristineHome,
    build_env,
    pipeline_env,
)

SPAN_DAYS = 540
# relative to today: the partitions end today (UTC), and the later day must lie inside them
FIRST_DAY = datetime.now(UTC).date() - timedelta(days=SPAN_DAYS + 2)
LAKE_AND_RAW = (
    dg.AssetKey(["lake", "raw", "conversations"]),
    dg.AssetKey(["raw", "conversations"]),
)


def _sparse_history(root: Path) -> Path:
    """About a hundred entries on each of two days 540 days apart."""
    generate(root, SampleSpec(entries=60, seed=7, start=FIRST_DAY, days=1))
    generate(
        root,
        SampleSpec(entries=50, seed=8, start=FIRST_DAY + timedelta(days=SPAN_DAYS - 1), days=1),
    )
    return root


@dataclass(frozen=True)
class SparseRun:
    logs: Path
    first: date
    last: date
    run_id: str
    """The run over the source's whole window, [first, last]."""


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> PristineHome:
    """The sparse history run once over the window the source reports; a test that runs
    again checks it out (the module's tests run one after the other in one worker)."""

    def make(home: Path) -> BuiltWarehouse:
        logs = _sparse_history(home / "projects")
        with pipeline_env(home, logs):
            settings = load_settings()
            window = source_date_range(source_resource(settings))
            assert window is not None
            result = run_full_pipeline(defs(), settings, *window)
        assert result.success
        return BuiltWarehouse(home, logs, settings.duckdb_path, result.run_id, result)

    return PristineHome(tmp_path_factory.mktemp("sparse") / "home", make)


def _selected(built: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch) -> SparseRun:
    """Points this test's environment at the build; its run and window."""
    for name, value in build_env(built).items():
        monkeypatch.setenv(name, value)
    window = source_date_range(source_resource(load_settings()))
    assert window is not None
    return SparseRun(built.logs_dir, *window, built.run_id)


@pytest.fixture
def sparse_run(pristine: PristineHome, monkeypatch: pytest.MonkeyPatch) -> SparseRun:
    """The run over the sparse history, read only."""
    return _selected(pristine.built(), monkeypatch)


@pytest.fixture
def own_sparse_run(pristine: PristineHome, monkeypatch: pytest.MonkeyPatch) -> Iterator[SparseRun]:
    """The same, for a test that runs again over it; put back as built after it."""
    with pristine.checkout() as built:
        yield _selected(built, monkeypatch)


def _events(run_id: str) -> Counter[str]:
    records = get_instance(load_settings()).all_logs(run_id)
    return Counter(r.dagster_event_type.value for r in records if r.dagster_event_type)


def test_a_run_over_a_sparse_history_records_only_the_days_with_data(
    sparse_run: SparseRun,
) -> None:
    settings = load_settings()
    first, last = sparse_run.first, sparse_run.last
    assert (last - first).days >= SPAN_DAYS - 1  # the window does span the whole calendar
    sparse_history = sparse_run.logs

    data_days = {day.isoformat() for day in entries_by_event_date(sparse_history)}
    assert len(data_days) <= 4  # two days, and the nights their sessions ran into
    instance = get_instance(settings)
    for key in LAKE_AND_RAW:
        materialized = instance.get_materialized_partitions(key)
        assert materialized == data_days, key
    events = _events(sparse_run.run_id)
    # nothing planned per day, one materialization per partitioned asset and data day (and
    # the window's last day), every other asset (dbt, serving) once, whatever the calendar
    # between the two days
    assert events["ASSET_MATERIALIZATION_PLANNED"] == 0
    nodes = [node for node in defs().resolve_asset_graph().asset_nodes if node.is_materializable]
    partitioned = sum(1 for node in nodes if node.is_partitioned)
    bound = partitioned * (len(data_days) + 1) + len(nodes) - partitioned
    assert events["ASSET_MATERIALIZATION"] <= bound
    dead_letter_days = instance.get_materialized_partitions(
        dg.AssetKey(["lake", "raw", "dead_letters"])
    )
    # no dead letters: only the window's last day is recorded, as every run records it
    assert dead_letter_days == {last.isoformat()}

    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        entries = con.execute("select sum(entries) from marts.agg_daily_summary").fetchone()[0]
        loaded = con.execute("select count(distinct event_date) from raw.loaded_days").fetchone()
    assert entries == count_source_lines(sparse_history)
    assert loaded[0] == len(data_days)


@pytest.mark.slow
def test_a_rerun_of_unchanged_days_gives_dbt_no_day_to_rederive(
    own_sparse_run: SparseRun,
) -> None:
    settings = load_settings()
    sparse_history = own_sparse_run.logs
    first, last = own_sparse_run.first, own_sparse_run.last
    definitions = defs()
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        noted = con.execute("select count(*) from raw.loaded_days").fetchone()[0]
        loaded_at = con.execute("select max(_loaded_at) from staging.stg_entries").fetchone()[0]
    again = run_full_pipeline(definitions, settings, first, last)
    assert again.success
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        # the same rows again: no day changed, so no entry was re-derived
        assert con.execute("select count(*) from raw.loaded_days").fetchone()[0] == noted
        stg = con.execute("select max(_loaded_at), count(*) from staging.stg_entries").fetchone()
        entries = con.execute("select sum(entries) from marts.agg_daily_summary").fetchone()[0]
    assert stg[0] == loaded_at
    assert stg[1] == entries == count_source_lines(sparse_history)
    # the run still says each data day and the marts are current
    events = _events(again.run_id)
    assert events["ASSET_MATERIALIZATION"] > 0 and events["ASSET_MATERIALIZATION_PLANNED"] == 0


def test_a_source_without_entries_builds_nothing_downstream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "projects"
    empty.mkdir()
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(empty))
    result = run_full_pipeline(defs(), load_settings(), FIRST_DAY, FIRST_DAY)
    assert result.success
    skipped = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED"}
    assert {"serving__analytics_snapshot", "serving__dashboard"} <= skipped
    assert not (load_settings().home / "dbt" / "target" / "run_results.json").exists()
