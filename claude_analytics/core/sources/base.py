"""The contract every source meets.

A source only delivers raw entries (bytes) with where they came from; parsing, typing and
dead-lettering happen once, in `core/ingest/parse.py`, so every source gets identical rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Protocol

import pyarrow as pa

from claude_analytics.core.contracts import DateWindow


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
