"""A directory of Claude Code JSONL transcripts, read recursively (subagents included)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
        """The batch's lines, numbered as in their file, blank lines left out.

        Arrow splits every file of the batch in one call and DuckDB computes every entry id
        at once: a Python loop per line (an md5 and six appends each) was the slowest step
        of the extract.
        """
        names = [path.relative_to(self.root).as_posix() for path in paths]
        files = pa.table(
            {
                "source_file": pa.array(names, pa.string()),
                "project_id": pa.array(
                    [name.split("/", 1)[0] if "/" in name else "" for name in names], pa.string()
                ),
                "ingested_at": pa.array(
                    [datetime.fromtimestamp(p.stat().st_mtime, UTC) for p in paths],
                    pa.timestamp("us", tz="UTC"),
                ),
            }
        )
        split = pc.split_pattern(
            pa.array([path.read_bytes() for path in paths], pa.large_binary()), b"\n"
        )
        lines = pc.list_flatten(split)
        which = pc.list_parent_indices(split)
        first_of_file = split.offsets.to_numpy()[:-1]
        numbers = np.arange(len(lines), dtype=np.int64) - first_of_file[which.to_numpy()] + 1
        # blank separators (and the final newline) are not entries
        kept = pc.greater(
            pc.binary_length(pc.ascii_trim_whitespace(lines.view(pa.large_string()))), 0
        )
        which = which.filter(kept)
        pieces = files.take(which).append_column(
            "line_number", pa.array(numbers, pa.int64()).filter(kept)
        )
        ids = duckdb.sql(
            "select md5(source_file || ':' || line_number) as entry_id from pieces"
        ).fetch_arrow_table()
        return pa.Table.from_arrays(
            [
                ids.column("entry_id").cast(pa.string()),
                pieces.column("source_file"),
                pieces.column("line_number"),
                pieces.column("project_id"),
                lines.filter(kept).cast(pa.binary()),
                pieces.column("ingested_at"),
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
