"""The Iceberg lake: catalog access and atomic replacement of a date window.

pyiceberg's catalog API is used as is, so any catalog it supports (SQLite by default,
REST, Glue, S3 warehouses) works through `PYICEBERG_CATALOG__DEFAULT__*`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.expressions import (
    And,
    BooleanExpression,
    GreaterThanOrEqual,
    In,
    LessThan,
    Or,
)
from pyiceberg.io.pyarrow import pyarrow_to_schema
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.table import Table
from pyiceberg.table.name_mapping import MappedField, NameMapping
from pyiceberg.transforms import IdentityTransform

from claude_analytics.core.config import ICEBERG_CATALOG_NAME, iceberg_catalog_properties
from claude_analytics.core.contracts import DEAD_LETTER_SCHEMA, ENTRY_SCHEMA

NAMESPACE = "raw"
CONVERSATIONS = f"{NAMESPACE}.conversations"
DEAD_LETTERS = f"{NAMESPACE}.dead_letters"
TABLE_SCHEMAS: dict[str, pa.Schema] = {
    CONVERSATIONS: ENTRY_SCHEMA,
    DEAD_LETTERS: DEAD_LETTER_SCHEMA,
}


def open_catalog(lake_dir: Path) -> Catalog:
    properties = iceberg_catalog_properties(lake_dir)
    warehouse = properties.get("warehouse", "")
    if warehouse.startswith("file://"):
        Path(warehouse.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    return load_catalog(ICEBERG_CATALOG_NAME, **properties)


def _iceberg_schema(schema: pa.Schema):
    mapping = NameMapping(
        [MappedField(field_id=i, names=[f.name]) for i, f in enumerate(schema, start=1)]
    )
    return pyarrow_to_schema(schema, name_mapping=mapping)


def ensure_table(catalog: Catalog, identifier: str) -> Table:
    """Create the namespace and the table (partitioned by event day) on first use, and add
    the columns a newer release has to a table an older one created."""
    catalog.create_namespace_if_not_exists(NAMESPACE)
    schema = _iceberg_schema(TABLE_SCHEMAS[identifier])
    spec = PartitionSpec(
        PartitionField(
            source_id=schema.find_field("event_date").field_id,
            field_id=1000,
            transform=IdentityTransform(),
            name="event_date",
        )
    )
    table = catalog.create_table_if_not_exists(identifier, schema=schema, partition_spec=spec)
    return _with_new_columns(table, TABLE_SCHEMAS[identifier])


def _with_new_columns(table: Table, wanted: pa.Schema) -> Table:
    """Iceberg schema evolution: new optional columns are added by name (data files written
    before read them as nulls); nothing is dropped or retyped."""
    present = set(table.schema().column_names)
    missing = [field for field in wanted if field.name not in present]
    if not missing:
        return table
    with table.update_schema() as update:
        update.union_by_name(pa.schema(missing))
    return table


def window_filter(start: date, end: date) -> BooleanExpression:
    return And(
        GreaterThanOrEqual("event_date", start.isoformat()),
        LessThan("event_date", end.isoformat()),
    )


@dataclass
class ReplaceResult:
    rows: int = 0
    files_added: int = 0
    snapshot_id: int | None = None


def replace_window(
    table: Table,
    start: date,
    end: date,
    batches: Iterable[pa.Table],
    also_delete: list[str] | None = None,
) -> ReplaceResult:
    """Delete the window (and the rows whose `entry_id` is in `also_delete`) and append the
    new rows in one Iceberg commit.

    Data files are written as batches arrive (memory stays flat), but readers see them only
    when the transaction commits: a failure before that leaves the table as it was.
    """
    result = ReplaceResult()
    doomed = window_filter(start, end)
    if also_delete:
        doomed = Or(doomed, In("entry_id", also_delete))
    with table.transaction() as transaction:
        with warnings.catch_warnings():
            # A window with no rows yet (every first load, every quiet day) is not a problem
            # worth a warning on each run.
            warnings.filterwarnings("ignore", message="Delete operation did not match any")
            transaction.delete(doomed)
        for batch in batches:
            if batch.num_rows:
                transaction.append(batch)
                result.rows += batch.num_rows
                result.files_added += 1
    table.refresh()
    snapshot = table.current_snapshot()
    result.snapshot_id = snapshot.snapshot_id if snapshot else None
    return result


def window_rows(table: Table, start: date, end: date) -> list[str] | Iterator[pa.RecordBatch]:
    """The window's rows for DuckDB: its local Parquet files when DuckDB can read them
    itself, else pyiceberg's Arrow batches."""
    files = local_data_files(table, start, end)
    return files if files is not None else scan_window(table, start, end)


def local_data_files(table: Table, start: date, end: date) -> list[str] | None:
    """The local Parquet files that hold exactly the window's rows, or None.

    pyiceberg plans the scan (snapshot, partition pruning); DuckDB can then read the files
    itself, streaming under its memory limit, instead of receiving Arrow batches from
    Python (that path held several times the limit at a million rows). None when the
    plan has delete files or remote files: those need pyiceberg's reader (`scan_window`).
    """
    files: list[str] = []
    for task in table.scan(row_filter=window_filter(start, end)).plan_files():
        if task.delete_files or not task.file.file_path.startswith("file://"):
            return None
        files.append(task.file.file_path.removeprefix("file://"))
    return files


def scan_window(table: Table, start: date, end: date) -> Iterator[pa.RecordBatch]:
    """Stream the window's rows as Arrow batches (DuckDB reads Iceberg through this)."""
    yield from table.scan(row_filter=window_filter(start, end)).to_arrow_batch_reader()


def partition_counts(table: Table, start: date, end: date) -> dict[date, int]:
    """Rows per event day of the window from the table's partition metadata alone (no data
    file is opened): which days a write is about to replace."""
    if table.current_snapshot() is None:
        return {}
    partitions = table.inspect.partitions().select(["partition", "record_count"]).to_pylist()
    return {
        day: row["record_count"]
        for row in partitions
        if (day := row["partition"]["event_date"]) is not None and start <= day < end
    }


def count_window(table: Table, start: date, end: date) -> int:
    return sum(counts_by_date(table, start, end).values())


def table_rows(catalog: Catalog) -> dict[str, int]:
    """Rows per lake table that exists, scanned rather than read from metadata: the count
    proves every data file is still there and readable (a backup's check, `run`'s summary)."""
    counts = {}
    for identifier in (CONVERSATIONS, DEAD_LETTERS):
        if catalog.table_exists(identifier):
            scan = catalog.load_table(identifier).scan(selected_fields=("entry_id",))
            counts[identifier] = sum(batch.num_rows for batch in scan.to_arrow_batch_reader())
    return counts


def counts_by_date(table: Table, start: date, end: date) -> dict[date, int]:
    """Rows per event date, read from the lake independently of the warehouse."""
    counts: dict[date, int] = {}
    scan = table.scan(row_filter=window_filter(start, end), selected_fields=("event_date",))
    for batch in scan.to_arrow_batch_reader():
        for day, n in zip(
            *pa.table(batch).group_by("event_date").aggregate([("event_date", "count")]).columns,
            strict=True,
        ):
            counts[day.as_py()] = counts.get(day.as_py(), 0) + n.as_py()
    return counts


MISSING_FILES_HINT = (
    "restore a backup taken with --with-lake-data (`claude-analytics restore --list`), or "
    "rebuild the lake from the source: remove $CLAUDE_ANALYTICS_HOME/lake and run "
    "`claude-analytics run` (RUNBOOK.md, Restore from the source)"
)


def missing_files(table: Table) -> list[str]:
    """Files the current snapshot needs that are gone: its manifests, then its data files.

    A catalog restored from a metadata-only backup, or a lake folder partly lost, still
    loads and reports its row counts from snapshot summaries; only reading fails.
    """
    snapshot = table.current_snapshot()
    if snapshot is None:
        return []

    def gone(path: str) -> bool:
        return not table.io.new_input(path).exists()

    if gone(snapshot.manifest_list):
        return [snapshot.manifest_list]
    missing = [m.manifest_path for m in snapshot.manifests(table.io) if gone(m.manifest_path)]
    if missing:
        return missing
    return [path for path in table.inspect.files()["file_path"].to_pylist() if gone(path)]
