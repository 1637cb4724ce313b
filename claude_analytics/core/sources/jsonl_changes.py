"""What changed in a JSONL directory since the last look: new files, grown files and the
UTC days their new lines fall on.

The sensor runs every half minute over directories of tens of thousands of files, so a look
costs one stat per file (the listing the source already makes) and, for a changed file
only, the first and last lines of its new bytes: Claude Code appends to a transcript in
time order, so those two timestamps bound the days of everything in between.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from claude_analytics.core.sources.jsonl import JsonlDirectorySource, ListedFile
from claude_analytics.core.timestamps import day_of

# How far from each end of the new bytes to look for a line with a timestamp (summaries
# and snapshots carry none); past it the file's modification day stands in.
EDGE_BYTES = 256 * 1024


@dataclass(frozen=True)
class FileCursor:
    """Each file's size and modification time (ns) when last seen, by its name below the
    root. A file that disappeared (Claude Code's cleanup) simply drops out: the lake keeps
    its entries."""

    files: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str | None) -> FileCursor:
        if not text:
            return cls()
        return cls({name: (int(s), int(m)) for name, (s, m) in json.loads(text).items()})

    def to_json(self) -> str:
        return json.dumps(self.files, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class ChangedFile:
    name: str
    size: int
    mtime_ns: int
    # bytes already loaded when the file only grew; 0 for a new or rewritten file
    offset: int
    days: tuple[date, ...]


@dataclass(frozen=True)
class JsonlChanges:
    files: list[ChangedFile]
    cursor: FileCursor

    @property
    def days(self) -> list[date]:
        return sorted({day for changed in self.files for day in changed.days})

    @property
    def new_bytes(self) -> int:
        return sum(changed.size - changed.offset for changed in self.files)

    def run_key(self) -> str:
        """One key per change: the same files at the same sizes never run twice."""
        text = "\n".join(f"{c.name}:{c.size}:{c.mtime_ns}" for c in self.files)
        return "jsonl-" + hashlib.sha256(text.encode()).hexdigest()[:24]


def _mtime_ns(item: ListedFile) -> int:
    return int(item.mtime * 1e9)


def _line_day(line: bytes) -> date | None:
    try:
        entry = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    stamp = entry.get("timestamp") if isinstance(entry, dict) else None
    return day_of(stamp) if isinstance(stamp, str) else None


def _first_day(lines: list[bytes]) -> date | None:
    return next((day for line in lines if (day := _line_day(line)) is not None), None)


def edge_days(path: Path, offset: int, size: int) -> tuple[date | None, date | None]:
    """The days of the first and the last timestamped line in bytes [offset, size)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        head = handle.read(min(EDGE_BYTES, size - offset))
        tail_start = max(offset, size - EDGE_BYTES)
        handle.seek(tail_start)
        tail = handle.read(size - tail_start)
    head_lines = head.split(b"\n")
    if len(head) < size - offset:
        head_lines = head_lines[:-1]  # cut mid-line
    tail_lines = tail.split(b"\n")
    if tail_start > offset:
        tail_lines = tail_lines[1:]
    return _first_day(head_lines), _first_day(tail_lines[::-1])


def _days(item: ListedFile, offset: int, first_day: date, last_day: date) -> tuple[date, ...]:
    """The days from the first to the last timestamp of the new bytes; a file that cannot
    be read, or whose new lines carry no timestamp, by its modification day (as the
    source dates its dead letters)."""
    modified = datetime.fromtimestamp(item.mtime, UTC).date()
    start = end = None
    if item.fault is None:
        # removed or replaced since it was listed: the next tick sees it again
        with contextlib.suppress(OSError):
            start, end = edge_days(item.path, offset, item.size)
    start, end = start or end or modified, end or start or modified
    if start > end:
        start, end = end, start
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return tuple(d for d in days if first_day <= d <= last_day)


def find_changes(
    root: Path, cursor: FileCursor, *, first_day: date, last_day: date
) -> JsonlChanges:
    """New, grown and rewritten files since `cursor`, with the days of their new lines,
    clipped to the partitions that exist."""
    listing = JsonlDirectorySource(root).listing()
    seen: dict[str, tuple[int, int]] = {}
    changed: list[ChangedFile] = []
    for item in listing:
        state = (item.size, _mtime_ns(item))
        seen[item.name] = state
        before = cursor.files.get(item.name)
        if before == state:
            continue
        grew = before is not None and item.size > before[0]
        offset = before[0] if grew and before is not None else 0
        if before is not None and item.size == before[0] and item.fault is None:
            # touched, not written: nothing new to read (a rewrite of the same length is
            # indistinguishable here; the hourly schedule rereads the recent days anyway)
            continue
        days = _days(item, offset, first_day, last_day)
        changed.append(ChangedFile(item.name, item.size, state[1], offset, days))
    return JsonlChanges(changed, FileCursor(seen))
