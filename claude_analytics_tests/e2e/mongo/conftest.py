"""Fixtures for the MongoDB tests: one real server per session, one database per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics_tests.support.mongo_server import MongoServer, launch


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MongoServer]:
    server = launch(tmp_path_factory.mktemp("mongo_server"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mongo_env(mongo_server: MongoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[MongoTarget]:
    """MONGO_URI / MONGO_DB of a fresh database on the session's server (dropped after)."""
    mongo_server.start()  # a test that stopped it may have failed before restarting it
    database = f"test_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("MONGO_URI", mongo_server.uri)
    monkeypatch.setenv("MONGO_DB", database)
    monkeypatch.setenv("MONGO_COLLECTION", "conversations")
    yield MongoTarget(
        uri=mongo_server.uri,
        database=database,
        collection="conversations",
        timeout_ms=2_000,
        retries=1,
        backoff_seconds=0.1,
    )
    mongo_server.start()
    with MongoClient(mongo_server.uri) as client:
        client.drop_database(database)


@pytest.fixture
def collection(mongo_env: MongoTarget) -> Iterator[Collection]:
    with mongo_env.open() as handle:
        yield handle


def copy_tree(source: Path, destination: Path) -> Path:
    import shutil

    shutil.copytree(source, destination)
    return destination
