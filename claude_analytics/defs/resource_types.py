"""Thin resources that expose domain operations; bound once in `defs/resources.py`.

Paths arrive as the text the environment holds (a `dg.EnvVar` resolves to it when a run
starts) and are made absolute here, by `core/config.resolve_path`, the way `load_settings`
makes them absolute for the CLI; the paths under the home come from `HomeLayout`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from claude_analytics.core.alerts.anomaly_alerts import AnomalyDelivery, alert_new_anomalies
from claude_analytics.core.alerts.delivery import Alert, Delivery, deliver
from claude_analytics.core.config import (
    DEFAULT_MAX_DEAD_LETTER_RATE,
    DEFAULT_MONGO_COLLECTION,
    DEFAULT_MONGO_DB,
    HomeLayout,
    IdentitySettings,
    resolve_path,
)
from claude_analytics.core.identity import resolve_identity
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.sources.base import LogSource
from claude_analytics.core.sources.jsonl import JsonlDirectorySource
from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics.core.sources.mongo.source import DEFAULT_BATCH_SIZE, MongoSource
from claude_analytics.core.sources.sample.source import DEFAULT_SAMPLE_ENTRIES, sample_source
from claude_analytics.core.warehouse.anomalies import Anomaly
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
    JSONL directory when `logs_dir` is set, else the bundled sample generated under the home.

    A JSONL directory is one developer's: its entries are stamped with `user_id` and
    `hostname`, else the operating system's names, hashed with `identity_salt` when
    `hash_identity` is on (core/identity.py)."""

    mongo: MongoResource
    logs_dir: str | None = None
    sample_dir: str
    sample_entries: int = DEFAULT_SAMPLE_ENTRIES
    user_id: str | None = None
    hostname: str | None = None
    hash_identity: bool = False
    identity_salt: str = ""

    def open(self) -> LogSource:
        if self.mongo.configured:
            return self.mongo.source()
        if self.logs_dir:
            identity = resolve_identity(
                IdentitySettings(
                    user_id=self.user_id or None,
                    hostname=self.hostname or None,
                    hashed=self.hash_identity,
                    salt=self.identity_salt,
                )
            )
            return JsonlDirectorySource(root=resolve_path(self.logs_dir), identity=identity)
        return sample_source(resolve_path(self.sample_dir), self.sample_entries)


class LakeResource(dg.ConfigurableResource):
    """The Iceberg catalog holding the `raw` namespace, under the home unless
    `PYICEBERG_CATALOG__DEFAULT__*` names another one (core/config.iceberg_catalog_properties)."""

    home: str

    def catalog(self) -> Catalog:
        return lake.open_catalog(HomeLayout(resolve_path(self.home)).lake_dir)

    def table(self, identifier: str) -> Table:
        return lake.ensure_table(self.catalog(), identifier)


class WarehouseResource(DuckDBResource):
    """The writer's DuckDB file, opened with the bounded, logged wait for its lock that
    every writer shares (`core/warehouse/locks.py`), within `memory_limit` when one is set
    (`DUCKDB_MEMORY_LIMIT`, the same bound dbt gets)."""

    memory_limit: str | None = None
    lock_retries: int = LOCK_RETRIES
    lock_wait_seconds: float = LOCK_WAIT_SECONDS

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        config = dict(self.connection_config)
        if self.memory_limit:
            config["memory_limit"] = self.memory_limit
        con = connect_with_lock_retries(
            str(resolve_path(self.database)),
            config,
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
    max_dead_letter_rate: float = DEFAULT_MAX_DEAD_LETTER_RATE


class HomeResource(dg.ConfigurableResource):
    """`CLAUDE_ANALYTICS_HOME`: the files the assets write beside the lake and the warehouse
    (the serving snapshot, the dashboard) and read there (the local price overrides)."""

    directory: str

    def layout(self) -> HomeLayout:
        return HomeLayout(resolve_path(self.directory))


class AlertsResource(dg.ConfigurableResource):
    """Where alerts go: a line in `alerts.log` under the home, and a POST to `webhook_url`
    (`ALERT_WEBHOOK_URL`, bound by name: the URL often holds a token) when it is set."""

    home: str
    webhook_url: str | None = None

    @property
    def log_path(self) -> Path:
        return HomeLayout(resolve_path(self.home)).alerts_log

    def deliver(self, alert: Alert) -> Delivery:
        return deliver(alert, self.log_path, self.webhook_url or None)

    def alert_new_anomalies(self, anomalies: list[Anomaly]) -> AnomalyDelivery:
        return alert_new_anomalies(anomalies, self.log_path, self.webhook_url or None)
