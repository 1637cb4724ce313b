"""Incremental builds end exactly where a full build does.

The staging, intermediate and fact models re-derive only what a run's window touches
(macros/incremental.sql). This builds a history day by day, as the hourly job does, then
makes a day lose a file, and compares every model's rows with one full build of the same
source: resumed sessions whose copies span days, sidechains and streaming duplicates all
have to come out the same.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from claude_analytics.core.sources.sample.generator import SampleSpec, generate
from claude_analytics_tests.support.warehouse_build import run_window

FIRST = date(2026, 11, 1)
DAYS = 4
LAST = FIRST + timedelta(days=DAYS - 1)
SCHEMAS = ("staging", "intermediate", "marts")


def _tables(path: Path) -> dict[str, list[str]]:
    """Every model table and its columns but the build stamp `_loaded_at`, as SQL terms.

    Sums of doubles (costs) depend on the order rows are added in, which differs between
    one build and many; they are compared to 1e-9.
    """
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name, list(case when data_type = 'DOUBLE' "
            "then format('round(\"{}\", 9)', column_name) else format('\"{}\"', column_name) "
            "end order by ordinal_position) "
            "from information_schema.columns where table_schema in $schemas "
            "and column_name <> '_loaded_at' group by 1",
            {"schemas": list(SCHEMAS)},
        ).fetchall()
    return {name: columns for name, columns in rows}


def _rows(path: Path, table: str, columns: list[str]) -> list[tuple]:
    quoted = ", ".join(columns)
    with duckdb.connect(str(path), read_only=True) as con:
        return sorted(
            con.execute(f"select {quoted} from {table}").fetchall(),
            key=lambda row: tuple((value is None, str(value)) for value in row),
        )


def _file_of_a_middle_day(logs: Path) -> Path:
    """A main-session file whose entries are all on the third day."""
    day = (FIRST + timedelta(days=2)).isoformat()
    for path in sorted(logs.rglob("*.jsonl")):
        text = path.read_text()
        if "subagents" not in path.parts and f'"timestamp":"{day}' in text.replace(" ", ""):
            stamps = {
                line.split('"timestamp":"', 1)[1][:10]
                for line in text.replace(" ", "").splitlines()
                if '"timestamp":"' in line
            }
            if stamps == {day}:
                return path
    raise AssertionError("the sample has no file dated on one middle day only")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("equivalence") / "projects"
    generate(root, SampleSpec(entries=2_500, start=FIRST, days=DAYS))
    return root


@pytest.mark.slow
def test_day_by_day_runs_and_a_lost_file_end_as_one_full_build(
    sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    incremental_home = tmp_path_factory.mktemp("incremental_home")
    logs = incremental_home / "projects"
    shutil.copytree(sample, logs)
    run_window(incremental_home, logs, FIRST, FIRST + timedelta(days=1))
    for offset in range(2, DAYS):
        day = FIRST + timedelta(days=offset)
        run_window(incremental_home, logs, day, day)
    lost = _file_of_a_middle_day(logs)
    lost.unlink()
    lost_day = FIRST + timedelta(days=2)
    run_window(incremental_home, logs, lost_day, lost_day)

    full_home = tmp_path_factory.mktemp("full_home")
    shutil.copytree(logs, full_home / "projects")
    run_window(full_home, full_home / "projects", FIRST, LAST)

    incremental_db = incremental_home / "analytics.duckdb"
    full_db = full_home / "analytics.duckdb"
    tables = _tables(full_db)
    assert {"staging.stg_entries", "intermediate.int_sessions", "marts.fct_token_usage"} <= set(
        tables
    )
    assert _tables(incremental_db) == tables
    with duckdb.connect(str(full_db), read_only=True) as con:
        duplicates = con.execute(
            "select count(*) from staging.stg_entries where is_duplicate"
        ).fetchone()
    assert duplicates and duplicates[0] > 0, "the sample must contain resumed-session copies"
    different = [
        table
        for table, columns in sorted(tables.items())
        if _rows(incremental_db, table, columns) != _rows(full_db, table, columns)
    ]
    assert not different, f"incremental builds differ from a full build in {different}"
