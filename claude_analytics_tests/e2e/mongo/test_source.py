"""Which documents a day's window reads, for every way a document can be dated."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bson import ObjectId
from pymongo.collection import Collection

from claude_analytics.core.contracts import DateWindow
from claude_analytics.core.ingest.parse import parse_batch
from claude_analytics.core.sources.mongo.changes import ChangeCursor, find_changes
from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics.core.sources.mongo.source import MongoSource
from claude_analytics.defs.partitions import partition_bounds

NOV = {day: date(2026, 11, day) for day in range(1, 5)}


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


# (expected event day, timestamp field or absent, ingestedAt)
CASES = {
    "offset crosses midnight": (NOV[3], "2026-11-02T23:30:00.000-02:00", at(3, 2)),
    "BSON date": (NOV[2], at(2, 5), at(3, 2)),
    "no timestamp": (NOV[2], ..., at(2, 10)),
    "null timestamp": (NOV[3], None, at(3, 9)),
    "plain UTC text": (NOV[2], "2026-11-02T12:00:00.000Z", at(2, 12)),
    "ingested a day late": (NOV[1], "2026-11-01T23:00:00.000Z", at(2, 1)),
}


def test_each_window_reads_exactly_its_days_documents(
    mongo_env: MongoTarget, collection: Collection
) -> None:
    ids: dict[str, str] = {}
    for name, (_, timestamp, ingested) in CASES.items():
        document = {"_id": ObjectId(), "type": "system", "content": name, "ingestedAt": ingested}
        if timestamp is not ...:
            document["timestamp"] = timestamp
        collection.insert_one(document)
        ids[name] = str(document["_id"])
    source = MongoSource(target=mongo_env, batch_size=2)
    first, last = partition_bounds()
    for day in NOV.values():
        window = DateWindow(day, date.fromordinal(day.toordinal() + 1))
        found: set[str] = set()
        for batch in source.iter_batches(window):
            parsed = parse_batch(
                batch,
                window,
                inherit_file_time=False,
                run_id="test",
                partition_start=first,
                partition_end=last,
            )
            assert parsed.dead_letters.num_rows == 0
            found |= set(parsed.entries.column("entry_id").to_pylist())
        expected = {ids[name] for name, (event_day, _, _) in CASES.items() if event_day == day}
        assert found == expected, day

    changes = find_changes(mongo_env, collection, ChangeCursor(), first_day=first, last_day=last)
    by_day = {change.day: change.documents for change in changes.days}
    assert by_day == {NOV[1]: 1, NOV[2]: 3, NOV[3]: 2}
    assert source.event_date_range() == (NOV[1], NOV[3])
