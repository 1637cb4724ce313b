"""Housekeeping of the lake and the warehouse: what the weekly maintenance job runs.

Iceberg never rewrites a file in place: every replaced window leaves its old files behind,
referenced by older snapshots, and many small appends leave many small files. Expiring
snapshots (then deleting the files only they referenced) and rewriting recent partitions
into one file each keep the lake's size and scan cost flat. DuckDB gets a CHECKPOINT (the
WAL folded into the file, freed blocks reusable) and ANALYZE (fresh statistics).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.expressions import EqualTo
from pyiceberg.table import Table

from claude_analytics.core.sql_files import read_sql


@dataclass(frozen=True)
class Footprint:
    """Files and bytes a table holds: the current snapshot's, and every snapshot's together."""

    snapshots: int
    current_files: int
    current_bytes: int
    all_files: int
    all_bytes: int

    def as_metadata(self, suffix: str) -> dict[str, int]:
        return {f"{key}_{suffix}": value for key, value in asdict(self).items()}


def _distinct_files(files: pa.Table) -> pa.Table:
    if files.num_rows == 0:
        return files.select(["file_path", "file_size_in_bytes"])
    return (
        files.group_by("file_path")
        .aggregate([("file_size_in_bytes", "max")])
        .rename_columns(["file_path", "file_size_in_bytes"])
    )


def footprint(table: Table) -> Footprint:
    table.refresh()
    current = table.inspect.files() if table.current_snapshot() else None
    every = _distinct_files(table.inspect.all_files()) if table.metadata.snapshots else None
    return Footprint(
        snapshots=len(table.metadata.snapshots),
        current_files=current.num_rows if current is not None else 0,
        current_bytes=int(pc.sum(current["file_size_in_bytes"]).as_py() or 0) if current else 0,
        all_files=every.num_rows if every is not None else 0,
        all_bytes=int(pc.sum(every["file_size_in_bytes"]).as_py() or 0) if every else 0,
    )


@dataclass(frozen=True)
class ExpiryResult:
    before: Footprint
    after: Footprint
    expired_snapshots: int
    deleted_files: int


def _referenced_paths(table: Table) -> set[str]:
    """Data files, manifests and manifest lists some snapshot still needs."""
    if not table.metadata.snapshots:
        return set()
    paths = set(table.inspect.all_files()["file_path"].to_pylist())
    paths |= set(table.inspect.all_manifests()["path"].to_pylist())
    paths |= {snapshot.manifest_list for snapshot in table.metadata.snapshots}
    return paths


def expire_snapshots(table: Table, older_than: datetime, keep_last: int) -> ExpiryResult:
    """Expire snapshots older than `older_than` except the `keep_last` newest, then delete
    the files that only expired snapshots referenced.

    pyiceberg's expiry only edits metadata; the file deletion goes through the table's own
    FileIO, so it works the same on a local warehouse and on object storage.
    """
    table.refresh()
    before = footprint(table)
    newest_first = sorted(table.metadata.snapshots, key=lambda s: s.timestamp_ms, reverse=True)
    protected = {ref.snapshot_id for ref in table.metadata.refs.values()}
    cutoff_ms = int(older_than.timestamp() * 1000)
    to_expire = [
        s.snapshot_id
        for s in newest_first[keep_last:]
        if s.timestamp_ms < cutoff_ms and s.snapshot_id not in protected
    ]
    deleted = 0
    if to_expire:
        referenced_before = _referenced_paths(table)
        table.maintenance.expire_snapshots().by_ids(to_expire).commit()
        table.refresh()
        for path in sorted(referenced_before - _referenced_paths(table)):
            table.io.delete(path)
            deleted += 1
    return ExpiryResult(
        before=before,
        after=footprint(table),
        expired_snapshots=len(to_expire),
        deleted_files=deleted,
    )


@dataclass(frozen=True)
class CompactionResult:
    before: Footprint
    after: Footprint
    partitions_compacted: list[str]


def small_file_partitions(table: Table, since: date) -> list[date]:
    """Days from `since` on whose rows are spread over more than one data file."""
    if table.current_snapshot() is None:
        return []
    files = table.inspect.files()
    if files.num_rows == 0:
        return []
    days = pc.struct_field(files["partition"], "event_date")
    per_day = pa.table({"day": days}).group_by("day").aggregate([("day", "count")])
    return sorted(
        day
        for day, count in zip(
            per_day["day"].to_pylist(), per_day["day_count"].to_pylist(), strict=True
        )
        if day is not None and day >= since and count > 1
    )


def compact_recent_partitions(table: Table, since: date) -> CompactionResult:
    """Rewrite each recent day held in several files into one file, one commit per day.

    A day is read whole and written back in the same transaction that drops its old files,
    so readers see either the old files or the new one, never both or neither.
    """
    table.refresh()
    before = footprint(table)
    compacted: list[str] = []
    for day in small_file_partitions(table, since):
        day_filter = EqualTo("event_date", day.isoformat())
        rows = table.scan(row_filter=day_filter).to_arrow()
        with table.transaction() as transaction:
            transaction.delete(day_filter)
            transaction.append(rows)
        compacted.append(day.isoformat())
        table.refresh()
    return CompactionResult(before=before, after=footprint(table), partitions_compacted=compacted)


@dataclass(frozen=True)
class WarehouseMaintenance:
    file_bytes_before: int
    wal_bytes_before: int
    file_bytes_after: int
    wal_bytes_after: int
    total_blocks: int
    free_blocks: int


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def checkpoint_and_analyze(con: duckdb.DuckDBPyConnection, path: Path) -> WarehouseMaintenance:
    """CHECKPOINT folds the write-ahead log into the file; ANALYZE refreshes statistics."""
    wal = path.with_name(path.name + ".wal")
    file_before, wal_before = _size(path), _size(wal)
    con.execute("checkpoint")
    con.execute("analyze")
    row = con.execute(read_sql(__package__, "database_size")).fetchone()
    return WarehouseMaintenance(
        file_bytes_before=file_before,
        wal_bytes_before=wal_before,
        file_bytes_after=_size(path),
        wal_bytes_after=_size(wal),
        total_blocks=int(row[0]) if row else 0,
        free_blocks=int(row[1]) if row else 0,
    )
