"""The whole graph on a small sample, into temporary paths: every layer holds every entry,
and a rerun of the window (in a home of its own) changes nothing."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from claude_analytics.core.config import load_settings
from claude_analytics.core.lake import catalog as lake
from claude_analytics_tests.conftest import SMALL_SAMPLE, count_source_lines, isolate
from claude_analytics_tests.support.warehouse_build import BuiltWarehouse, run_window

FIRST = SMALL_SAMPLE.start
LAST = date.fromordinal(SMALL_SAMPLE.start.toordinal() + SMALL_SAMPLE.days)


def _lake_rows(identifier: str) -> int:
    table = lake.open_catalog(load_settings().lake_dir).load_table(identifier)
    return table.scan(selected_fields=("entry_id",)).to_arrow().num_rows


def _warehouse_value(sql: str) -> int:
    with duckdb.connect(str(load_settings().duckdb_path), read_only=True) as con:
        return int(con.execute(sql).fetchone()[0])


def test_every_layer_holds_every_source_entry(
    jsonl_warehouse: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's shared build of the sample as a JSONL directory (conftest.py), read."""
    isolate(monkeypatch, jsonl_warehouse.home.parent)
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(jsonl_warehouse.logs_dir))
    expected = count_source_lines(jsonl_warehouse.logs_dir)
    assert expected == SMALL_SAMPLE.entries

    assert _lake_rows(lake.CONVERSATIONS) + _lake_rows(lake.DEAD_LETTERS) == expected
    assert _lake_rows(lake.DEAD_LETTERS) == 0
    assert _warehouse_value("select count(*) from raw.conversations") == expected
    assert _warehouse_value("select count(distinct entry_id) from raw.conversations") == expected
    assert _warehouse_value("select count(*) from staging.stg_entries") == expected
    assert _warehouse_value("select sum(entries) from marts.agg_daily_summary") == expected


@pytest.mark.slow
def test_rerunning_a_window_is_idempotent(sample_home: BuiltWarehouse) -> None:
    """The window built once (conftest.sample_home), then run again over the same home."""
    first = _warehouse_value("select sum(hash(entry_id, raw_json)) from raw.conversations")
    run_window(sample_home.home, sample_home.logs_dir, FIRST, LAST)
    assert _warehouse_value("select count(*) from raw.conversations") == SMALL_SAMPLE.entries
    assert _warehouse_value("select sum(hash(entry_id, raw_json)) from raw.conversations") == first
