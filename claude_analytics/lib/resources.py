"""Thin resources that expose domain operations; bound once in `defs/resources.py`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from claude_analytics.lib import lake
from claude_analytics.lib.mongo.client import MongoTarget
from claude_analytics.lib.settings import DEFAULT_MONGO_COLLECTION, DEFAULT_MONGO_DB, Settings
from claude_analytics.lib.sources.base import LogSource
from claude_analytics.lib.sources.jsonl import JsonlDirectorySource
from claude_analytics.lib.sources.mongo import DEFAULT_BATCH_SIZE, MongoSource
from claude_analytics.lib.sources.sample import DEFAULT_SAMPLE_ENTRIES, sample_source


class MongoResource(dg.ConfigurableResource):
    """The synced collection. Bind `uri` with `dg.EnvVar("MONGO_URI")`: Dagster then shows
    the variable's name, never its value, and every message names the hosts only."""

    uri: str | None = None
    database: str = DEFAULT_MONGO_DB
    collection: str = DEFAULT_MONGO_COLLECTION
    batch_size: int = DEFAULT_BATCH_SIZE
    timeout_ms: int = 10_000
    retries: int = 4
    backoff_seconds: float = 1.0

    @property
    def configured(self) -> bool:
        return bool(self.uri)

    def target(self) -> MongoTarget:
        if not self.uri:
            raise ValueError("MONGO_URI is not set: there is no MongoDB collection to read")
        return MongoTarget(
            uri=self.uri,
            database=self.database,
            collection=self.collection,
            timeout_ms=self.timeout_ms,
            retries=self.retries,
            backoff_seconds=self.backoff_seconds,
        )

    def source(self) -> MongoSource:
        return MongoSource(target=self.target(), batch_size=self.batch_size)


class LogSourceResource(dg.ConfigurableResource):
    """The source DESIGN.md prescribes: the MongoDB collection when MONGO_URI is set, else a
    JSONL directory when `logs_dir` is set, else the bundled sample generated under the home."""

    mongo: MongoResource
    logs_dir: str | None = None
    sample_dir: str
    sample_entries: int = DEFAULT_SAMPLE_ENTRIES

    def open(self) -> LogSource:
        if self.mongo.configured:
            return self.mongo.source()
        if self.logs_dir:
            return JsonlDirectorySource(root=Path(self.logs_dir))
        return sample_source(Path(self.sample_dir), self.sample_entries)


class LakeResource(dg.ConfigurableResource):
    """The Iceberg catalog holding the `raw` namespace."""

    home: str

    def catalog(self) -> Catalog:
        return lake.open_catalog(Path(self.home) / "lake")

    def table(self, identifier: str) -> Table:
        return lake.ensure_table(self.catalog(), identifier)


def mongo_resource(settings: Settings) -> MongoResource:
    """The collection of the environment; the URI stays an EnvVar until a run resolves it."""
    return MongoResource(
        uri=dg.EnvVar("MONGO_URI") if settings.mongo_configured else None,
        database=settings.mongo_db,
        collection=settings.mongo_collection,
    )


def source_resource(settings: Settings, mongo: MongoResource | None = None) -> LogSourceResource:
    return LogSourceResource(
        mongo=mongo or mongo_resource(settings),
        logs_dir=str(settings.logs_dir) if settings.logs_dir else None,
        sample_dir=str(settings.sample_dir),
    )


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB file's write lock and did not let go in time."""


class WarehouseResource(DuckDBResource):
    """The writer's DuckDB file, opened with a bounded, explained wait for its lock.

    DuckDB allows one writing process per file. Runs of this platform queue on the
    `duckdb_writer` pool, so a held lock means something outside it (a DuckDB shell, a
    notebook, a BI tool pointed at the writer's file): wait a bounded time with exponential
    backoff, then fail with a message that names the file instead of a bare IO error.
    Only lock conflicts are retried; any other error surfaces at once.
    """

    lock_retries: int = 6
    lock_wait_seconds: float = 1.0

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect_with_lock_retries(
            self.database, self.connection_config, self.lock_retries, self.lock_wait_seconds
        )
        try:
            yield con
        finally:
            con.close()


def _is_lock_conflict(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def connect_with_lock_retries(
    database: str, config: dict[str, Any], retries: int, wait_seconds: float
) -> duckdb.DuckDBPyConnection:
    delay = wait_seconds
    waited = 0.0
    for attempt in range(retries + 1):
        try:
            return duckdb.connect(database, read_only=False, config=dict(config))
        except duckdb.IOException as error:
            if not _is_lock_conflict(error):
                raise
            if attempt == retries:
                raise WarehouseLockedError(
                    f"The DuckDB file {database} is locked by another process (DuckDB allows "
                    f"one writer per file); gave up after {retries + 1} attempts over "
                    f"{waited:.1f}s. Close the other writer (a DuckDB shell, a notebook, a BI "
                    "tool opened on the writer's file instead of the serving copy) and re-run. "
                    f"DuckDB said: {error}"
                ) from error
            time.sleep(delay)
            waited += delay
            delay *= 2
    raise AssertionError("unreachable")


class QualityResource(dg.ConfigurableResource):
    """Thresholds and switches of the quality gates."""

    redact: bool = True
    max_dead_letter_rate: float = 0.01
