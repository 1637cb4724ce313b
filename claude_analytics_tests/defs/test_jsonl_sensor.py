"""The JSONL directory sensor: new and grown transcripts become one run over their days."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from claude_analytics.commands.instance import get_instance
from claude_analytics.core.config import load_settings
from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from claude_analytics.defs.extract.sensors import CHANGED_DAYS_TAG, jsonl_sensor
from claude_analytics.defs.resource_types import LogSourceResource, MongoResource
from claude_analytics_tests.conftest import SMALL_SAMPLE


def stamped_days(root: Path) -> set[date]:
    """Independently: the UTC day of every timestamped line under `root`."""
    days = set()
    for path in root.rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stamp = json.loads(line).get("timestamp") if line.strip() else None
            if stamp:
                moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                days.add(moment.astimezone(UTC).date())
    return days


def _line(day: date, text: str, session: str = "live-session") -> str:
    return json.dumps(
        {
            "type": "user",
            "uuid": f"{session}-{text}",
            "sessionId": session,
            "timestamp": f"{day.isoformat()}T10:00:00.000Z",
            "cwd": "/home/dev/live",
            "message": {"role": "user", "content": text},
        }
    )


class Ticker:
    """Evaluates the sensor as the daemon does: the cursor carried from tick to tick."""

    def __init__(self, logs_dir: Path | None, home: Path) -> None:
        self.source = LogSourceResource(
            mongo=MongoResource(uri=None),
            logs_dir=str(logs_dir) if logs_dir else None,
            sample_dir=str(home / "sample"),
        )
        self.cursor: str | None = None
        self.run_keys: list[str] = []

    def tick(self) -> dg.SensorResult:
        with dg.build_sensor_context(
            cursor=self.cursor, resources={"source": self.source}
        ) as context:
            result = jsonl_sensor(running=True)(context)
        assert isinstance(result, dg.SensorResult)
        self.cursor = result.cursor or self.cursor
        self.run_keys += [r.run_key for r in result.run_requests or [] if r.run_key]
        return result

    def days(self) -> set[date]:
        requests = self.tick().run_requests or []
        if not requests:
            return set()
        [request] = requests
        days = {date.fromisoformat(d) for d in request.tags[CHANGED_DAYS_TAG].split(",")}
        window = (request.tags[PARTITION_RANGE_START_TAG], request.tags[PARTITION_RANGE_END_TAG])
        assert window == (min(days).isoformat(), max(days).isoformat())
        return days


def test_other_sources_and_a_missing_directory_skip(tmp_path: Path) -> None:
    for logs in (None, tmp_path / "absent"):
        result = Ticker(logs, tmp_path).tick()
        assert not result.run_requests and result.skip_reason


def test_the_sensor_is_part_of_the_code_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claude_analytics.definitions import defs

    monkeypatch.delenv("MONGO_URI", raising=False)
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(tmp_path))
    sensor = defs().resolve_sensor_def("jsonl_new_lines")
    assert sensor.job_name == "full_pipeline"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds <= 60
    # on the bundled sample (no CLAUDE_LOGS_DIR) there is nothing to watch
    monkeypatch.delenv("CLAUDE_LOGS_DIR")
    stopped = defs().resolve_sensor_def("jsonl_new_lines")
    assert stopped.default_status == dg.DefaultSensorStatus.STOPPED


def test_new_grown_touched_and_removed_files(small_sample_master: Path, tmp_path: Path) -> None:
    logs = tmp_path / "projects"
    shutil.copytree(small_sample_master, logs)
    ticker = Ticker(logs, tmp_path)

    # The first look: every transcript is new, every day with lines gets its run.
    first = ticker.days()
    expected = stamped_days(logs)
    assert expected <= first <= {min(expected) + timedelta(days=n) for n in range(10)}
    assert not ticker.tick().run_requests  # nothing changed since

    # Lines appended to a transcript: only their day, read from the new bytes.
    transcript = sorted(logs.rglob("*.jsonl"))[0]
    late = SMALL_SAMPLE.start + timedelta(days=20)
    with transcript.open("a", encoding="utf-8") as handle:
        handle.write(_line(late, "appended") + "\n")
    assert ticker.days() == {late}

    # A new session spanning midnight: both its days.
    new = logs / "-home-dev-live" / "live-session.jsonl"
    new.parent.mkdir()
    new.write_text(
        _line(late, "before midnight") + "\n" + _line(late + timedelta(days=1), "after") + "\n",
        encoding="utf-8",
    )
    assert ticker.days() == {late, late + timedelta(days=1)}

    # Touched without new bytes, or removed (Claude Code's cleanup): no run.
    os.utime(transcript, None)
    new.unlink()
    result = ticker.tick()
    assert not result.run_requests and result.skip_reason
    assert "-home-dev-live/live-session.jsonl" not in json.loads(ticker.cursor or "{}")

    # A line without a timestamp is dated by the file's modification time.
    stamp = datetime(2026, 4, 2, 12, tzinfo=UTC).timestamp()
    with transcript.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"type": "summary", "summary": "no time of its own"}) + "\n")
    os.utime(transcript, (stamp, stamp))
    assert ticker.days() == {date(2026, 4, 2)}
    assert len(ticker.run_keys) == len(set(ticker.run_keys)) == 4


def test_the_requested_run_loads_the_new_lines(
    small_sample_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sensor's request, run as the daemon would launch it: the appended lines reach
    the warehouse and the marts."""
    from claude_analytics.definitions import defs

    logs = tmp_path / "projects"
    logs.mkdir()
    session = logs / "-home-dev-live" / "live-session.jsonl"
    session.parent.mkdir()
    day = SMALL_SAMPLE.start
    session.write_text(_line(day, "first prompt") + "\n", encoding="utf-8")
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(logs))
    ticker = Ticker(logs, tmp_path)
    settings = load_settings()
    job = defs().resolve_job_def("full_pipeline")

    def run_requested() -> None:
        [request] = ticker.tick().run_requests or []
        result = job.execute_in_process(
            instance=get_instance(settings), tags=request.tags, raise_on_error=False
        )
        assert result.success

    run_requested()
    with session.open("a", encoding="utf-8") as handle:
        handle.write(_line(day, "second prompt") + "\n")
    run_requested()
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        raw = con.execute("select count(*) from raw.conversations").fetchone()
        prompts = con.execute(
            "select count(*) from marts.fct_messages where session_id = 'live-session'"
        ).fetchone()
    assert raw == (2,) and prompts == (2,)
