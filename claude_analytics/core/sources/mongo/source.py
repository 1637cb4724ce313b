"""A MongoDB collection of synced Claude Code entries (the DESIGN.md document shape)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pyarrow as pa
from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection

from claude_analytics.core.contracts import IDENTITY_FIELDS, RAW_LINE_SCHEMA, DateWindow
from claude_analytics.core.sources.mongo.client import TRANSIENT_ERRORS, MongoTarget
from claude_analytics.core.sources.mongo.documents import entry_line, timestamp_text
from claude_analytics.core.timestamps import day_of

DEFAULT_BATCH_SIZE = 5_000

# A timestamp that starts like an ISO date is dated by itself; anything else (missing,
# null, a number, free text) is dated by `ingestedAt`, as parsing does for MongoDB.
DATE_PREFIX = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_NOT_DATED_BY_TIMESTAMP = [{"timestamp": {"$regex": DATE_PREFIX}}, {"timestamp": {"$type": "date"}}]

# ISO strings compare like the instants they name only in the same offset; UTC offsets
# reach ±14 h, so the string range is widened by that much and parsing keeps the window.
_OFFSET_SLACK = timedelta(hours=14)

# The indexes the queries below rely on; `sync` creates them (README lists them).
INDEXES: tuple[tuple[str, list[tuple[str, int]]], ...] = (
    ("timestamp_1", [("timestamp", ASCENDING)]),
    ("ingestedAt_1", [("ingestedAt", ASCENDING)]),
)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def window_query(window: DateWindow) -> dict[str, Any]:
    """One filter for every document that may fall in `window`: three disjoint branches
    (ISO-text timestamps, BSON-date timestamps, undated by ingestedAt), each served by an
    index on mongod, and a single pass over the collection on servers without pushdown."""
    start, end = _midnight(window.start), _midnight(window.end)
    text_range = {
        "$gte": (start - _OFFSET_SLACK).strftime("%Y-%m-%dT%H:%M:%S"),
        "$lt": (end + _OFFSET_SLACK).strftime("%Y-%m-%dT%H:%M:%S"),
    }
    return {
        "$or": [
            {"timestamp": {**text_range, "$regex": DATE_PREFIX}},
            {"timestamp": {"$gte": start, "$lt": end}},  # collections that stored BSON dates
            {"ingestedAt": {"$gte": start, "$lt": end}, "$nor": _NOT_DATED_BY_TIMESTAMP},
        ]
    }


def _text(value: Any) -> str | None:
    """A sync field as text: another sync service may have written a number or an id."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def to_raw_table(documents: list[dict[str, Any]]) -> pa.Table:
    """Documents as raw lines: the entry re-serialised, `entry_id` = the ObjectId's hex,
    and who synced it (`userId`, `hostname`; absent in older syncs) beside it."""
    return pa.Table.from_arrays(
        [
            pa.array([str(d["_id"]) for d in documents], pa.string()),
            pa.array([d.get("sourceFile") for d in documents], pa.string()),
            pa.nulls(len(documents), pa.int64()),
            pa.array([d.get("projectId") for d in documents], pa.string()),
            pa.array([entry_line(d) for d in documents], pa.binary()),
            pa.array(
                [
                    d.get("ingestedAt") if isinstance(d.get("ingestedAt"), datetime) else None
                    for d in documents
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            pa.array([_text(d.get("userId")) for d in documents], pa.string()),
            pa.array([_text(d.get("hostname")) for d in documents], pa.string()),
        ],
        schema=pa.schema([*RAW_LINE_SCHEMA, *IDENTITY_FIELDS]),
    )


@dataclass(frozen=True)
class MongoSource:
    """Reads a window's documents in batches of `batch_size` (memory stays flat)."""

    target: MongoTarget
    batch_size: int = DEFAULT_BATCH_SIZE
    inherits_file_time: bool = False

    def describe(self) -> str:
        return self.target.describe()

    def iter_batches(self, window: DateWindow) -> Iterator[pa.Table]:
        with self.target.open() as collection:
            yield from self._scan(collection, window_query(window))

    def _scan(self, collection: Collection, query: dict[str, Any]) -> Iterator[pa.Table]:
        # Until the first batch arrives a failed query is retried with backoff; a failure
        # after that propagates, the lake's transaction is never committed, and the run's
        # retry policy starts the window again from a clean slate.
        cursor = self.target.call(
            "opening the window's query",
            lambda: _started(collection.find(query, batch_size=self.batch_size)),
        )
        batch: list[dict[str, Any]] = []
        try:
            for document in cursor:
                batch.append(document)
                if len(batch) >= self.batch_size:
                    yield to_raw_table(batch)
                    batch = []
        except TRANSIENT_ERRORS as error:
            raise self.target.fail("reading the window's documents", error, 1) from None
        finally:
            cursor.close()
        if batch:
            yield to_raw_table(batch)

    def event_date_range(self) -> tuple[date, date] | None:
        with self.target.open() as collection:
            return self.target.call("finding the event date range", lambda: _date_range(collection))


class _started:
    """A cursor whose first batch has been fetched, so connection errors surface here."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self._first = next(cursor, None)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._first is not None:
            yield self._first
        yield from self._cursor

    def close(self) -> None:
        self._cursor.close()


def _edge(collection: Collection, query: dict[str, Any], field: str, direction: int) -> Any:
    found = collection.find_one(query, {field: 1}, sort=[(field, direction)])
    return found.get(field) if found else None


def _date_range(collection: Collection) -> tuple[date, date] | None:
    text_query = {"timestamp": {"$regex": DATE_PREFIX}}
    date_query = {"timestamp": {"$type": "date"}}
    undated_query = {"ingestedAt": {"$type": "date"}, "$nor": _NOT_DATED_BY_TIMESTAMP}
    days: list[date] = []
    for query, field in (
        (text_query, "timestamp"),
        (date_query, "timestamp"),
        (undated_query, "ingestedAt"),
    ):
        for direction in (ASCENDING, DESCENDING):
            value = _edge(collection, query, field, direction)
            text = timestamp_text(value)
            if text is None:
                continue
            day = day_of(text)
            if day is not None:
                days.append(day)
    return (min(days), max(days)) if days else None
