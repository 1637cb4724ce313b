"""A half-written last line, completed later, ends as one entry and no dead letter.

Claude Code appends to a live file; a run that reads it mid-write dead-letters the cut
line, dated by the file's first entry. The hourly job that loads the completed line dates
it today, outside the old day. Before the fix the old dead letter stayed: raw + dead
letters counted the line twice, its entry id in both tables.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from claude_analytics.commands.runner import run_job_in_process as run_job
from claude_analytics.core.config import load_settings
from claude_analytics.core.lake import catalog as lake
from claude_analytics.definitions import defs
from claude_analytics.defs.lake.assets import LAKE_DEAD_LETTERS
from claude_analytics.defs.schedules import hourly_window
from claude_analytics_tests.support.transcripts import prompt

LIVE_FILE = "-home-dev-live/live-session.jsonl"
LINES = 150


def _lake_ids(identifier: str) -> list[str]:
    table = lake.open_catalog(load_settings().lake_dir).load_table(identifier)
    return table.scan(selected_fields=("entry_id",)).to_arrow()["entry_id"].to_pylist()


@pytest.mark.slow
def test_a_completed_line_supersedes_its_dead_letter_on_the_hourly_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = tmp_path / "projects"
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(logs))
    now = datetime.now(UTC).replace(microsecond=0)
    started = now - timedelta(days=3)
    live = logs / LIVE_FILE
    live.parent.mkdir(parents=True)
    # enough complete lines that one cut line stays under the 1% dead-letter gate
    written = [
        json.dumps(prompt(f"live-{n}", "live-session", started + timedelta(minutes=n), "/x"))
        for n in range(LINES - 1)
    ]
    last = json.dumps(prompt("live-last", "live-session", now, "/home/dev/live", "Now finish"))
    cut = len(last) // 2
    live.write_text("\n".join(written) + "\n" + last[:cut])  # the writer is mid-line

    settings = load_settings()
    first_run = run_job(defs(), settings, "hourly_incremental", (started.date(), now.date()))
    assert first_run.success
    assert len(_lake_ids(lake.DEAD_LETTERS)) == 1  # the half line, dated three days back
    with live.open("a") as out:
        out.write(last[cut:] + "\n")
    os.utime(live, (now.timestamp(), now.timestamp()))
    second_run = run_job(defs(), settings, "hourly_incremental", hourly_window(now))
    assert second_run.success

    lake_entries = _lake_ids(lake.CONVERSATIONS)
    lake_letters = _lake_ids(lake.DEAD_LETTERS)
    assert len(lake_entries) + len(lake_letters) == LINES
    assert not set(lake_entries) & set(lake_letters)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        entries = con.execute("select entry_id, event_date from raw.conversations").fetchall()
        letters = con.execute("select entry_id from raw.dead_letters").fetchall()
    assert len(entries) + len(letters) == LINES  # raw + dead letters = source lines
    assert letters == []
    assert [day for _, day in entries].count(now.date()) == 1
    superseded = next(
        m
        for m in second_run.asset_materializations_for_node("lake_raw")
        if m.asset_key == LAKE_DEAD_LETTERS
    )
    assert superseded.metadata["superseded_by_completed_lines"].value == 1
