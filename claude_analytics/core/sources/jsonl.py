"""A directory of Claude Code JSONL transcripts, read recursively (subagents included)."""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, partial
from pathlib import Path
from stat import S_ISREG

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from claude_analytics.core.contracts import (
    FAULT_FIELD,
    IDENTITY_FIELDS,
    RAW_LINE_SCHEMA,
    DateWindow,
)
from claude_analytics.core.identity import Identity
from claude_analytics.core.sql_files import read_sql
from claude_analytics.core.timestamps import utc_connection

# Files are grouped into batches of about this many bytes: large enough to keep DuckDB's
# vectorised parsing busy, small enough to keep memory flat however big the directory is.
DEFAULT_BATCH_BYTES = 64 * 1024 * 1024

# The columns of a batch: the raw lines, a file's fault, who wrote it and where.
BATCH_SCHEMA = pa.schema([*RAW_LINE_SCHEMA, FAULT_FIELD, *IDENTITY_FIELDS])

# Folders listed at once, a level of the tree at a time. Each scandir and stat waits on
# the disk when the inode cache is cold (after a full run has read gigabytes): one at a time,
# the 1M history's 24,611 files in 12,704 folders took 2.0-2.6 s cold (0.3 s warm), and at
# 10M the +10k run's extract, mostly this listing of 245,113 files, 58-64 s. The calls
# release the GIL, so the waits overlap: 1.2-1.4 s cold at 1M (the same warm), 16.3 s at 10M.
LISTING_THREADS = 32

# First bytes of a line that may be blank: none (empty) or ASCII whitespace.
_BLANK_STARTS = pa.array([b"", b" ", b"\t", b"\n", b"\v", b"\f", b"\r"], pa.binary())


def entry_id_for(source_file: str, line_number: int) -> str:
    """A stable identity for a line: the same file and line always give the same id."""
    return hashlib.md5(f"{source_file}:{line_number}".encode()).hexdigest()


@dataclass(frozen=True)
class ListedFile:
    """A .jsonl file found under the root, or a file or folder that could not be used.

    `name` is the path below the root as bytes-safe text (a byte that is not UTF-8 is kept
    as `\\xNN`); `fault` is the reason the file cannot be read, or None. `location` is the
    path as the walk found it; its `Path` is made only for the files a run reads: parsing
    a `Path` for each of 245,000 files was a third of a warm 10 s listing at 10M entries.
    """

    location: str
    name: str
    mtime: float
    size: int
    fault: str | None = None

    @cached_property
    def path(self) -> Path:
        return Path(self.location)


def _safe_name(path: str, root: str) -> tuple[str, bool]:
    """The path below the root as text, and whether that text is the path itself."""
    relative = path.removeprefix(root)
    raw = os.fsencode(relative)
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), False


def _os_reason(error: OSError) -> str:
    return errno.errorcode.get(error.errno or 0, type(error).__name__)


def _lstat_mtime(path: str) -> float:
    try:
        return os.lstat(path).st_mtime
    except OSError:
        return time.time()


@dataclass(frozen=True)
class JsonlDirectorySource:
    """`identity` is who wrote the files (one developer's directory: the run's user and
    host); `project_identities` names another identity for some project folders (the
    bundled sample stands for a team's collection)."""

    root: Path
    batch_bytes: int = DEFAULT_BATCH_BYTES
    inherits_file_time: bool = True
    identity: Identity | None = None
    project_identities: tuple[tuple[str, Identity], ...] = ()

    def describe(self) -> str:
        return f"JSONL directory {self.root}"

    def identity_of(self, name: str) -> Identity:
        """Who wrote the file `name` (a path below the root)."""
        project = _project_of(name)
        for folder, identity in self.project_identities:
            if folder == project:
                return identity
        return self.identity or Identity(None, None)

    def files(self) -> list[Path]:
        """The readable .jsonl files (faulty ones are in `listing`)."""
        return [item.path for item in self.listing() if item.fault is None]

    def listing(self) -> list[ListedFile]:
        """Every .jsonl file under the root, and every file or folder that cannot be used,
        in `Path` order.

        A scandir walk (directory entries know their type), the folders of a level listed
        by a pool of threads, and one stat per file, kept for the later steps: `rglob`
        plus a stat at each step took over a second per 24k files. Like `rglob`, it does
        not descend into symlinked directories. A folder that cannot be listed, a file
        that cannot be stat'ed (a symlink loop, a dangling link), something that is not a
        regular file, and a path that is not UTF-8 are listed with their fault: each
        becomes one dead letter, and the rest of the source loads.
        """
        if not self.root.is_dir():
            raise FileNotFoundError(
                f"The logs directory {self.root} does not exist; set CLAUDE_LOGS_DIR to the "
                "folder that holds Claude Code's project folders (usually ~/.claude/projects)."
            )
        root = str(self.root).rstrip("/") + "/"
        found: list[ListedFile] = []
        level = [str(self.root)]
        with ThreadPoolExecutor(LISTING_THREADS, thread_name_prefix="jsonl-listing") as pool:
            while level:
                below: list[str] = []
                size = max(1, len(level) // (LISTING_THREADS * 4))
                chunks = [level[i : i + size] for i in range(0, len(level), size)]
                for folders, files in pool.map(partial(self._scan_all, root=root), chunks):
                    below.extend(folders)
                    found.extend(files)
                level = below
        # the order of sorted(Path), by parts: with the separator as NUL, which no name
        # holds and which sorts first, the text compares as the parts do
        return sorted(found, key=lambda item: item.location.replace(os.sep, "\0"))

    def diagnose(self) -> list[ListedFile]:
        """The listing, each file also opened: one that cannot be read has its fault here
        (a run finds it when it reads the file)."""
        checked = []
        for item in self.listing():
            if item.fault is None:
                try:
                    os.close(os.open(item.path, os.O_RDONLY))
                except OSError as error:
                    item = replace(item, fault=f"unreadable_file: {_os_reason(error)}")
            checked.append(item)
        return checked

    @classmethod
    def _scan_all(cls, folders: list[str], root: str) -> tuple[list[str], list[ListedFile]]:
        """Several folders in one task: a task per folder spent more on the pool than on
        the folder (warm, 12,700 folders of the 1M history)."""
        below: list[str] = []
        files: list[ListedFile] = []
        for folder in folders:
            subfolders, listed = cls._scan(folder, root)
            below.extend(subfolders)
            files.extend(listed)
        return below, files

    @classmethod
    def _scan(cls, folder: str, root: str) -> tuple[list[str], list[ListedFile]]:
        """One folder's subfolders, and its .jsonl files stat'ed (or the folder's fault)."""
        folders: list[str] = []
        files: list[ListedFile] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.name.endswith(".jsonl"):
                        files.append(cls._listed(entry, root))
        except OSError as error:
            name, _ = _safe_name(folder, root)
            fault = f"unlistable_folder: {_os_reason(error)}"
            files.append(ListedFile(folder, name, _lstat_mtime(folder), 0, fault))
        return folders, files

    @staticmethod
    def _listed(entry: os.DirEntry[str], root: str) -> ListedFile:
        name, decodable = _safe_name(entry.path, root)
        path = entry.path
        if not decodable:
            return ListedFile(path, name, _lstat_mtime(entry.path), 0, "undecodable_path")
        try:
            stat = entry.stat()  # follows a symlink: a loop or a dangling link fails here
        except OSError as error:
            fault = f"unreadable_file: {_os_reason(error)}"
            return ListedFile(path, name, _lstat_mtime(entry.path), 0, fault)
        if not S_ISREG(stat.st_mode):
            return ListedFile(path, name, stat.st_mtime, 0, "not_a_file")
        return ListedFile(path, name, stat.st_mtime, stat.st_size)

    def _candidate_files(self, window: DateWindow) -> list[ListedFile]:
        # A transcript is append-only, so every entry in it is older than the file's mtime:
        # files last written before the window cannot hold any of its entries.
        earliest = datetime.combine(window.start, datetime.min.time(), UTC) - timedelta(days=1)
        return [item for item in self.listing() if item.mtime >= earliest.timestamp()]

    def iter_batches(self, window: DateWindow) -> Iterator[pa.Table]:
        """Batches of whole files, the files taken in the order they were last written.

        A file's entries sit on the days up to its mtime, so batches in mtime order each
        cover a few neighbouring days: the lake writes one Parquet file per day and batch,
        and a path-ordered batch of a long history touched every day of it (thousands of
        small files for a year of logs).
        """
        batch: list[ListedFile] = []
        size = 0
        ordered = sorted(self._candidate_files(window), key=lambda item: item.mtime)
        for item in ordered:
            batch.append(item)
            size += item.size
            if size >= self.batch_bytes:
                yield self._read(batch)
                batch, size = [], 0
        if batch:
            yield self._read(batch)

    def _read(self, listing: list[ListedFile]) -> pa.Table:
        """The batch's lines, numbered as in their file, blank lines left out; a file that
        cannot be read is one row with its fault instead.

        Arrow splits every file of the batch in one call and DuckDB computes every entry id
        at once: a Python loop per line (an md5 and six appends each) was the slowest step
        of the extract. The files are joined into one buffer that Arrow uses without a
        copy (building an array from a list of bytes copied them slowly), and each file's
        final newline is left out, so there is rarely a blank line to filter (a copy).
        """
        readable, contents, faulty = _read_files(listing)
        names = [item.name for item in readable]
        identities = [self.identity_of(name) for name in names]
        files = pa.table(
            {
                "source_file": pa.array(names, pa.string()),
                "project_id": pa.array([_project_of(name) for name in names], pa.string()),
                "ingested_at": pa.array(
                    [datetime.fromtimestamp(item.mtime, UTC) for item in readable],
                    pa.timestamp("us", tz="UTC"),
                ),
                "user_id": pa.array([who.user_id for who in identities], pa.string()),
                "hostname": pa.array([who.hostname for who in identities], pa.string()),
            }
        )
        # the line after a final newline is blank: leaving the newline out changes no number;
        # a byte order mark opens the file, not its first entry (a UTF-8 decoder drops it)
        texts = [_body(content) for content in contents]
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
        ids = duckdb.sql(read_sql(__package__, "entry_ids")).to_arrow_table()
        good = pa.Table.from_arrays(
            [
                ids.column("entry_id").cast(pa.string()),
                pieces.column("source_file"),
                pieces.column("line_number"),
                pieces.column("project_id"),
                lines.cast(pa.binary()),
                pieces.column("ingested_at"),
                pa.nulls(len(lines), FAULT_FIELD.type),
                pieces.column("user_id"),
                pieces.column("hostname"),
            ],
            schema=BATCH_SCHEMA,
        )
        return pa.concat_tables([good, _fault_rows(faulty)]) if faulty else good

    def event_date_range(self) -> tuple[date, date] | None:
        listing = self.listing()
        if not listing:
            return None
        # only bounds the run, loads nothing: a file or line that fails here is a dead
        # letter of the run, and files that cannot be read are dated by their mtime
        readable = [item.location for item in listing if item.fault is None]
        stamps = _timestamp_range(readable) if readable else (None, None)
        mtimes = [datetime.fromtimestamp(item.mtime, UTC).date() for item in listing]
        first = min(d for d in (stamps[0], min(mtimes)) if d is not None)
        last = max(d for d in (stamps[1], max(mtimes)) if d is not None)
        return first, last


# DuckDB's JSON reader refuses an object over 16 MiB by default; a longer line only needs
# its timestamp read here (parsing itself has no such limit).
_MAX_OBJECT_BYTES = 2**31 - 1


def _timestamp_range(files: list[str]) -> tuple[date | None, date | None]:
    """First and last timestamp in the files, DuckDB reading them in parallel; a file
    that fails (changed or removed since it was listed) is left out."""
    with utc_connection() as con:
        try:
            row = con.execute(
                read_sql(__package__, "timestamp_range"),
                {"files": files, "maximum_object_size": _MAX_OBJECT_BYTES},
            )
            return tuple(row.fetchone() or (None, None))  # type: ignore[return-value]
        except (duckdb.IOException, duckdb.InvalidInputException):
            if len(files) == 1:
                return None, None
        ranges = [_timestamp_range([file]) for file in files]
    firsts = [r[0] for r in ranges if r[0] is not None]
    lasts = [r[1] for r in ranges if r[1] is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def _project_of(name: str) -> str:
    return name.split("/", 1)[0] if "/" in name else ""


def _body(content: bytes) -> bytes | memoryview:
    start = 3 if content.startswith(codecs.BOM_UTF8) else 0
    end = len(content) - 1 if content.endswith(b"\n") else len(content)
    return memoryview(content)[start:end] if (start, end) != (0, len(content)) else content


def _read_files(
    listing: list[ListedFile],
) -> tuple[list[ListedFile], list[bytes], list[ListedFile]]:
    """The readable files with their bytes, and the others with the reason (a file can
    fail here after listing: no permission, an I/O error, removed meanwhile)."""
    readable: list[ListedFile] = []
    contents: list[bytes] = []
    faulty: list[ListedFile] = []
    for item in listing:
        if item.fault is not None:
            faulty.append(item)
            continue
        try:
            contents.append(item.path.read_bytes())
        except OSError as error:
            faulty.append(replace(item, fault=f"unreadable_file: {_os_reason(error)}"))
        else:
            readable.append(item)
    return readable, contents, faulty


def _fault_rows(faulty: list[ListedFile]) -> pa.Table:
    """One row per file that could not be read: no line, its fault, dated by its mtime."""
    return pa.table(
        {
            "entry_id": [entry_id_for(item.name, 0) for item in faulty],
            "source_file": [item.name for item in faulty],
            "line_number": pa.nulls(len(faulty), pa.int64()),
            "project_id": [_project_of(item.name) for item in faulty],
            "line": pa.nulls(len(faulty), pa.binary()),
            "ingested_at": pa.array(
                [datetime.fromtimestamp(item.mtime, UTC) for item in faulty],
                pa.timestamp("us", tz="UTC"),
            ),
            "fault": [item.fault for item in faulty],
            "user_id": pa.nulls(len(faulty), pa.string()),
            "hostname": pa.nulls(len(faulty), pa.string()),
        },
        schema=BATCH_SCHEMA,
    )
