"""Thin resources that expose domain operations; bound once in `defs/resources.py`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from claude_analytics.core.config import DEFAULT_MONGO_COLLECTION, DEFAULT_MONGO_DB, Settings
from claude_analytics.core.identity import resolve_identity
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.sources.base import LogSource
from claude_analytics.core.sources.jsonl import JsonlDirectorySource
from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics.core.sources.mongo.source import DEFAULT_BATCH_SIZE, MongoSource
from claude_analytics.core.sources.sample.source import DEFAULT_SAMPLE_ENTRIES, sample_source
from claude_analytics.core.warehouse.locks import (
    LOCK_RETRIES,
    LOCK_WAIT_SECONDS,
    connect_with_lock_retries,
)


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
            # one developer's directory: every entry is this run's user's, on this machine
            return JsonlDirectorySource(root=Path(self.logs_dir), identity=resolve_identity())
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


class WarehouseResource(DuckDBResource):
    """The writer's DuckDB file, opened with the bounded, logged wait for its lock that
    every writer shares (`core/warehouse/locks.py`)."""

    lock_retries: int = LOCK_RETRIES
    lock_wait_seconds: float = LOCK_WAIT_SECONDS

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect_with_lock_retries(
            self.database,
            self.connection_config,
            dg.get_dagster_logger().warning,
            self.lock_retries,
            self.lock_wait_seconds,
        )
        try:
            yield con
        finally:
            con.close()


class QualityResource(dg.ConfigurableResource):
    """Thresholds and switches of the quality gates."""

    redact: bool = True
    max_dead_letter_rate: float = 0.01
