"""A directory of Claude Code JSONL transcripts, read recursively (subagents included)."""

from __future__ import annotations

import hashlib
import os
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

# First bytes of a line that may be blank: none (empty) or ASCII whitespace.
_BLANK_STARTS = pa.array([b"", b" ", b"\t", b"\n", b"\v", b"\f", b"\r"], pa.binary())


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
        return [path for path, _ in self._listing()]

    def _listing(self) -> list[tuple[Path, os.stat_result]]:
        """Every .jsonl file under the root with its stat, in `Path` order.

        One scandir walk (directory entries know their type) and one stat per file, kept
        for the later steps: `rglob` plus a stat at each step took over a second per 24k
        files. Like `rglob`, it does not descend into symlinked directories.
        """
        if not self.root.is_dir():
            raise FileNotFoundError(
                f"The logs directory {self.root} does not exist; set CLAUDE_LOGS_DIR to the "
                "folder that holds Claude Code's project folders (usually ~/.claude/projects)."
            )
        found: list[tuple[Path, os.stat_result]] = []
        pending = [str(self.root)]
        while pending:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif entry.name.endswith(".jsonl") and entry.is_file():
                        found.append((Path(entry.path), entry.stat()))
        # the order of sorted(Path): by parts, not by the path's text
        return sorted(found, key=lambda item: item[0].parts)

    def _candidate_files(self, window: DateWindow) -> list[tuple[Path, os.stat_result]]:
        # A transcript is append-only, so every entry in it is older than the file's mtime:
        # files last written before the window cannot hold any of its entries.
        earliest = datetime.combine(window.start, datetime.min.time(), UTC) - timedelta(days=1)
        return [item for item in self._listing() if item[1].st_mtime >= earliest.timestamp()]

    def iter_batches(self, window: DateWindow) -> Iterator[pa.Table]:
        """Batches of whole files, the files taken in the order they were last written.

        A file's entries sit on the days up to its mtime, so batches in mtime order each
        cover a few neighbouring days: the lake writes one Parquet file per day and batch,
        and a path-ordered batch of a long history touched every day of it (thousands of
        small files for a year of logs).
        """
        batch: list[tuple[Path, os.stat_result]] = []
        size = 0
        ordered = sorted(self._candidate_files(window), key=lambda item: item[1].st_mtime)
        for item in ordered:
            batch.append(item)
            size += item[1].st_size
            if size >= self.batch_bytes:
                yield self._read(batch)
                batch, size = [], 0
        if batch:
            yield self._read(batch)

    def _read(self, listing: list[tuple[Path, os.stat_result]]) -> pa.Table:
        """The batch's lines, numbered as in their file, blank lines left out.

        Arrow splits every file of the batch in one call and DuckDB computes every entry id
        at once: a Python loop per line (an md5 and six appends each) was the slowest step
        of the extract. The files are joined into one buffer that Arrow uses without a
        copy (building an array from a list of bytes copied them slowly), and each file's
        final newline is left out, so there is rarely a blank line to filter (a copy).
        """
        root = self.root.as_posix().rstrip("/") + "/"
        names = [path.as_posix().removeprefix(root) for path, _ in listing]
        files = pa.table(
            {
                "source_file": pa.array(names, pa.string()),
                "project_id": pa.array(
                    [name.split("/", 1)[0] if "/" in name else "" for name in names], pa.string()
                ),
                "ingested_at": pa.array(
                    [datetime.fromtimestamp(stat.st_mtime, UTC) for _, stat in listing],
                    pa.timestamp("us", tz="UTC"),
                ),
            }
        )
        contents = [path.read_bytes() for path, _ in listing]
        # the line after a final newline is blank: leaving the newline out changes no number
        texts = [
            memoryview(content)[:-1] if content.endswith(b"\n") else content for content in contents
        ]
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum([len(text) for text in texts], out=offsets[1:])
        joined = pa.LargeBinaryArray.from_buffers(
            pa.large_binary(),
            len(texts),
            [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(texts))],
        )
        del contents, texts
        split = pc.split_pattern(joined, b"\n")
        lines = pc.list_flatten(split)
        which = pc.list_parent_indices(split)
        first_of_file = split.offsets.to_numpy()[:-1]
        numbers = np.arange(len(lines), dtype=np.int64) - first_of_file[which.to_numpy()] + 1
        # blank lines (empty or whitespace only) are not entries; only lines that are empty
        # or start with whitespace can be blank, so only those are trimmed
        starts = pc.binary_slice(lines, 0, 1)
        maybe_blank = pc.indices_nonzero(pc.is_in(starts, value_set=_BLANK_STARTS)).to_numpy()
        doubtful = lines.take(maybe_blank).view(pa.large_string())
        blank = pc.equal(pc.binary_length(pc.ascii_trim_whitespace(doubtful)), 0)
        kept = np.ones(len(lines), dtype=bool)
        kept[maybe_blank[blank.to_numpy(zero_copy_only=False)]] = False
        if not kept.all():
            mask = pa.array(kept)
            lines, which, numbers = lines.filter(mask), which.filter(mask), numbers[kept]
        pieces = files.take(which).append_column("line_number", pa.array(numbers, pa.int64()))
        ids = duckdb.sql(
            "select md5(source_file || ':' || line_number) as entry_id from pieces"
        ).to_arrow_table()
        return pa.Table.from_arrays(
            [
                ids.column("entry_id").cast(pa.string()),
                pieces.column("source_file"),
                pieces.column("line_number"),
                pieces.column("project_id"),
                lines.cast(pa.binary()),
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
