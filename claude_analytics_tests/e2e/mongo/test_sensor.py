"""The ingestedAt sensor: runs for exactly the days that received documents."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
from bson import ObjectId
from pymongo.collection import Collection

from claude_analytics.core.config import load_settings
from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics.core.sources.mongo.sync import sync_directory
from claude_analytics.core.sources.sample.generator import SampleSpec, generate
from claude_analytics.defs.extract.assets import MONGODB_CONVERSATIONS
from claude_analytics.defs.extract.sensors import mongodb_sensor
from claude_analytics.defs.resource_types import MongoResource
from claude_analytics_tests.conftest import SMALL_SAMPLE, count_source_lines


def event_days(root: Path, ingested_on: date) -> set[date]:
    """Independently: the UTC day of each line's timestamp, else the day it was synced."""
    days: set[date] = set()
    for path in root.rglob("*.jsonl"):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            stamp = json.loads(line).get("timestamp")
            days.add(
                datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC).date()
                if stamp
                else ingested_on
            )
    return days


class Ticker:
    """Evaluates the sensor like the daemon does: cursor carried over, run keys remembered."""

    def __init__(self, target: MongoTarget) -> None:
        self.mongo = MongoResource(
            uri=target.uri, database=target.database, collection=target.collection
        )
        self.cursor: str | None = None
        self.run_keys: list[str] = []

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(cursor=self.cursor, resources={"mongo": self.mongo})
        result = mongodb_sensor(running=True)(context)
        assert isinstance(result, dg.SensorResult)
        self.cursor = result.cursor
        self.run_keys += [request.run_key for request in result.run_requests or []]
        return result

    def days(self) -> set[date]:
        return {date.fromisoformat(r.partition_key) for r in self.tick().run_requests or []}


def test_sensor_requests_only_the_days_that_got_documents(
    small_sample: Path, mongo_env: MongoTarget, collection: Collection, tmp_path: Path, run_pipeline
) -> None:
    ticker = Ticker(mongo_env)
    empty = ticker.tick()
    assert not empty.run_requests and empty.skip_reason

    sync_directory(mongo_env, small_sample)
    today = datetime.now(UTC).date()
    first = ticker.tick()
    assert {date.fromisoformat(r.partition_key) for r in first.run_requests} == event_days(
        small_sample, today
    )
    (observation,) = first.asset_events
    assert observation.asset_key == MONGODB_CONVERSATIONS
    assert observation.metadata["documents"].value == count_source_lines(small_sample)
    newest = collection.find_one(sort=[("ingestedAt", -1)])["ingestedAt"]
    assert observation.metadata["latest_ingested_at"].value == newest.isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")

    # Nothing new: no runs, and the same count is not observed again.
    quiet = ticker.tick()
    assert not quiet.run_requests and not quiet.asset_events

    later = tmp_path / "later"
    later_start = SMALL_SAMPLE.start + timedelta(days=10)
    generate(later, SampleSpec(entries=120, days=2, start=later_start, seed=7))
    sync_directory(mongo_env, later)
    later_days = event_days(later, today)
    assert later_days - {today} <= {later_start, later_start + timedelta(days=1)}
    assert ticker.days() == later_days

    # A late entry for the first day lands in that day's partition, and only there.
    late_id = ObjectId()
    collection.insert_one(
        {
            "_id": late_id,
            "type": "user",
            "uuid": "late-entry",
            "sessionId": "late-session",
            "timestamp": f"{SMALL_SAMPLE.start.isoformat()}T23:59:59.000Z",
            "message": {"role": "user", "content": "written offline, synced days later"},
            "projectId": "late-project",
            "sourceFile": "late-project/late-session.jsonl",
            "ingestedAt": datetime.now(UTC),
        }
    )
    assert ticker.days() == {SMALL_SAMPLE.start}

    # Two documents in one millisecond, seen by two ticks: the second is not lost.
    moment = datetime.now(UTC).replace(microsecond=500_000) + timedelta(seconds=1)
    for offset, _id in ((1, ObjectId()), (2, ObjectId())):
        day = SMALL_SAMPLE.start + timedelta(days=offset)
        collection.insert_one(
            {
                "_id": _id,
                "type": "system",
                "timestamp": f"{day.isoformat()}T12:00:00.000Z",
                "ingestedAt": moment,
            }
        )
        assert ticker.days() == {SMALL_SAMPLE.start + timedelta(days=offset)}
    assert ticker.days() == set()
    assert len(ticker.run_keys) == len(set(ticker.run_keys))

    # The late entry's run: its day now holds it next to the day's original entries.
    run_pipeline(SMALL_SAMPLE.start, SMALL_SAMPLE.start)
    with duckdb.connect(str(load_settings().duckdb_path), read_only=True) as con:
        rows = con.execute(
            "select event_date, count(*) filter (where entry_id = $id) "
            "from raw.conversations group by 1",
            {"id": str(late_id)},
        ).fetchall()
    assert rows == [(SMALL_SAMPLE.start, 1)]
