"""A directory of Claude Code JSONL transcripts, read recursively (subagents included)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from claude_analytics.lib.sources.base import RAW_LINE_SCHEMA, DateWindow

# Files are grouped into batches of about this many bytes: large enough to keep DuckDB's
# vectorised parsing busy, small enough to keep memory flat however big the directory is.
DEFAULT_BATCH_BYTES = 64 * 1024 * 1024


def entry_id_for(source_file: str, line_number: int) -> str:
    """A stable identity for a line: the same file and line always give the same id."""
    return hashlib.md5(f"{source_file}:{line_number}".encode()).hexdigest()


@dataclass(frozen=True)
class JsonlDirectorySource:
    root: Path
    batch_bytes: int = DEFAULT_BATCH_BYTES
    inherits_file_time: bool = True

    def describe(self) -> str:
        return f"JSONL directory {self.root}"

    def files(self) -> list[Path]:
        if not self.root.is_dir():
            raise FileNotFoundError(
                f"The logs directory {self.root} does not exist; set CLAUDE_LOGS_DIR to the "
                "folder that holds Claude Code's project folders (usually ~/.claude/projects)."
            )
        return sorted(p for p in self.root.rglob("*.jsonl") if p.is_file())

    def _candidate_files(self, window: DateWindow) -> list[Path]:
        # A transcript is append-only, so every entry in it is older than the file's mtime:
        # files last written before the window cannot hold any of its entries.
        earliest = datetime.combine(window.start, datetime.min.time(), UTC) - timedelta(days=1)
        return [p for p in self.files() if p.stat().st_mtime >= earliest.timestamp()]

    def iter_batches(self, window: DateWindow) -> Iterator[pa.Table]:
        batch: list[Path] = []
        size = 0
        for path in self._candidate_files(window):
            batch.append(path)
            size += path.stat().st_size
            if size >= self.batch_bytes:
                yield self._read(batch)
                batch, size = [], 0
        if batch:
            yield self._read(batch)

    def _read(self, paths: list[Path]) -> pa.Table:
        entry_ids: list[str] = []
        files: list[str] = []
        numbers: list[int] = []
        projects: list[str] = []
        lines: list[bytes] = []
        ingested: list[datetime] = []
        for path in paths:
            relative = path.relative_to(self.root).as_posix()
            project = relative.split("/", 1)[0] if "/" in relative else ""
            mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
                if not raw.strip():
                    continue  # blank separators (and the final newline) are not entries
                entry_ids.append(entry_id_for(relative, number))
                files.append(relative)
                numbers.append(number)
                projects.append(project)
                lines.append(raw)
                ingested.append(mtime)
        return pa.Table.from_arrays(
            [
                pa.array(entry_ids, pa.string()),
                pa.array(files, pa.string()),
                pa.array(numbers, pa.int64()),
                pa.array(projects, pa.string()),
                pa.array(lines, pa.binary()),
                pa.array(ingested, pa.timestamp("us", tz="UTC")),
            ],
            schema=RAW_LINE_SCHEMA,
        )

    def event_date_range(self) -> tuple[date, date] | None:
        files = self.files()
        if not files:
            return None
        # DuckDB reads the timestamps of every file in parallel; bad lines are skipped here
        # because this only bounds the run, it does not load anything.
        row = duckdb.sql(
            """
            select
                min(try_cast(json_extract_string(json, '$.timestamp') as timestamptz))::date,
                max(try_cast(json_extract_string(json, '$.timestamp') as timestamptz))::date
            from read_ndjson_objects($files, ignore_errors = true)
            """,
            params={"files": [str(p) for p in files]},
        ).fetchone()
        mtimes = [datetime.fromtimestamp(p.stat().st_mtime, UTC).date() for p in files]
        first = min(d for d in (row[0], min(mtimes)) if d is not None) if row else min(mtimes)
        last = max(d for d in (row[1], max(mtimes)) if d is not None) if row else max(mtimes)
        return first, last
