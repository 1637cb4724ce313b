"""Which days received new documents since a cursor on `ingestedAt`.

The cursor is the latest `ingestedAt` seen plus the ids of the documents seen at exactly
that millisecond. The next look starts *at* that millisecond (an overlap), so a document
written later within the same millisecond is still found, and the ids keep the ones
already handled from triggering twice; partition replaces are idempotent besides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection

from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics.core.sources.mongo.documents import iso_millis, timestamp_text
from claude_analytics.core.sql_files import read_sql
from claude_analytics.core.timestamps import utc_connection

# New documents looked at per sensor tick; a larger backlog is taken over several ticks.
DEFAULT_PAGE = 100_000


@dataclass(frozen=True)
class ChangeCursor:
    ingested_at: datetime | None = None
    ids_at: tuple[str, ...] = ()
    observed: tuple[int, str | None] | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "ingested_at": iso_millis(self.ingested_at) if self.ingested_at else None,
                "ids_at": list(self.ids_at),
                "observed": list(self.observed) if self.observed else None,
            }
        )

    @classmethod
    def from_json(cls, text: str | None) -> ChangeCursor:
        if not text:
            return cls()
        data = json.loads(text)
        at = data.get("ingested_at")
        observed = data.get("observed")
        return cls(
            ingested_at=datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None,
            ids_at=tuple(data.get("ids_at") or ()),
            observed=(int(observed[0]), observed[1]) if observed else None,
        )


@dataclass(frozen=True)
class DayChange:
    day: date
    documents: int
    # A digest of the new documents' ids: the run key of a day's run names exactly its data.
    fingerprint: str


@dataclass(frozen=True)
class Changes:
    days: list[DayChange]
    documents: int
    cursor: ChangeCursor
    more: bool = False


def _event_days(rows: pa.Table, first: date, last: date) -> list[DayChange]:
    """Event day of each document as parsing dates it, clamped into the partitions."""
    with utc_connection() as con:
        con.register("new_documents", rows)
        found = con.execute(
            read_sql(__package__, "event_days"), {"first": first, "last": last}
        ).fetchall()
    return [DayChange(day, int(n), fingerprint[:16]) for day, n, fingerprint in found]


def find_changes(
    target: MongoTarget,
    collection: Collection,
    cursor: ChangeCursor,
    *,
    first_day: date,
    last_day: date,
    page: int = DEFAULT_PAGE,
) -> Changes:
    """The days of documents ingested at or after the cursor that it has not seen yet."""
    query: dict[str, Any] = {"ingestedAt": {"$type": "date"}}
    if cursor.ingested_at is not None:
        query = {"ingestedAt": {"$gte": cursor.ingested_at}}
        if cursor.ids_at:
            query["_id"] = {"$nin": [_as_id(i) for i in cursor.ids_at]}
    documents = target.call(
        "looking for new documents",
        lambda: list(
            collection.find(query, {"timestamp": 1, "ingestedAt": 1})
            .sort([("ingestedAt", ASCENDING), ("_id", ASCENDING)])
            .limit(page)
        ),
    )
    if not documents:
        return Changes(days=[], documents=0, cursor=cursor)
    rows = pa.table(
        {
            "id": pa.array([str(d["_id"]) for d in documents], pa.string()),
            "timestamp_text": pa.array(
                [timestamp_text(d.get("timestamp")) for d in documents], pa.string()
            ),
            "ingested_at": pa.array(
                [d["ingestedAt"] for d in documents], pa.timestamp("us", tz="UTC")
            ),
        }
    )
    latest = documents[-1]["ingestedAt"]
    ids_at = [str(d["_id"]) for d in documents if d["ingestedAt"] == latest]
    if cursor.ingested_at is not None and latest == cursor.ingested_at:
        ids_at = [*cursor.ids_at, *ids_at]
    return Changes(
        days=_event_days(rows, first_day, last_day),
        documents=len(documents),
        cursor=ChangeCursor(ingested_at=latest, ids_at=tuple(ids_at), observed=cursor.observed),
        more=len(documents) >= page,
    )


def observe(target: MongoTarget, collection: Collection) -> tuple[int, str | None]:
    """Document count and latest `ingestedAt`: what the collection's observations carry."""
    count = target.call("counting documents", collection.estimated_document_count)
    newest = target.call(
        "finding the latest ingestedAt",
        lambda: collection.find_one(
            {"ingestedAt": {"$type": "date"}}, {"ingestedAt": 1}, sort=[("ingestedAt", DESCENDING)]
        ),
    )
    return int(count), iso_millis(newest["ingestedAt"]) if newest else None


def run_key(change: DayChange, cursor: ChangeCursor) -> str:
    stamp = iso_millis(cursor.ingested_at) if cursor.ingested_at else "-"
    return f"mongodb:{change.day.isoformat()}:{stamp}:{change.fingerprint}"


def _as_id(text: str) -> Any:
    return ObjectId(text) if ObjectId.is_valid(text) else text
