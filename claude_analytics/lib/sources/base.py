"""The contract every source meets.

A source only delivers raw entries (bytes) with where they came from; parsing, typing and
dead-lettering happen once, in `lib/parsing.py`, so every source gets identical rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import pyarrow as pa

RAW_LINE_SCHEMA = pa.schema(
    [
        pa.field("entry_id", pa.string(), nullable=False),
        pa.field("source_file", pa.string()),
        pa.field("line_number", pa.int64()),
        pa.field("project_id", pa.string()),
        pa.field("line", pa.binary()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)
# A batch may add this column: the reason a whole file (or folder) could not be read, on a
# row of its own with no line, which parsing turns into one dead letter instead of failing.
FAULT_FIELD = pa.field("fault", pa.string())
# A batch may add these too: who wrote the line and on which machine (a synced document's
# `userId` and `hostname`, or the identity of a JSONL run); missing means unknown.
IDENTITY_FIELDS = (pa.field("user_id", pa.string()), pa.field("hostname", pa.string()))


@dataclass(frozen=True)
class DateWindow:
    """Half-open window of event dates [start, end) that one run is responsible for."""

    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end


class LogSource(Protocol):
    """What the extract needs from a source.

    `inherits_file_time`: entries without a timestamp take the earliest timestamp of their
    file (a JSONL file is append-only, so that date never moves); sources without whole
    files (MongoDB) fall back to `ingested_at` instead.
    """

    inherits_file_time: bool

    def describe(self) -> str:
        """A human label that never contains a secret."""
        ...

    def iter_batches(self, window: DateWindow) -> Iterator[pa.Table]:
        """Batches in RAW_LINE_SCHEMA holding every entry that may fall in `window`.

        A batch may hold entries of other days (they are filtered after parsing) but holds
        whole files when `inherits_file_time` is set.
        """
        ...

    def event_date_range(self) -> tuple[date, date] | None:
        """First and last event date present, or None when the source is empty."""
        ...
