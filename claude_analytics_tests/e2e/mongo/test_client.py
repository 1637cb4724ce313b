"""Retries and failure messages: the server is named, the password never."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from claude_analytics.core.sources.mongo import client
from claude_analytics.core.sources.mongo.client import MongoSourceError, MongoTarget
from claude_analytics_tests.support.mongo_server import MongoServer, _free_port

PASSWORD = "hunter2-Secret"


def test_a_refused_connection_is_retried_with_backoff_then_named(monkeypatch) -> None:
    port = _free_port()  # nothing listens there: every attempt is refused
    target = MongoTarget(
        uri=f"mongodb://alice:{PASSWORD}@127.0.0.1:{port}/?authSource=admin",
        database="claude_logs",
        collection="conversations",
        timeout_ms=200,
        retries=3,
        backoff_seconds=0.05,
    )
    waits: list[float] = []
    monkeypatch.setattr(
        client, "time", SimpleNamespace(sleep=lambda s: (waits.append(s), time.sleep(s)))
    )
    with target.open() as collection, pytest.raises(MongoSourceError) as failure:
        target.call("counting documents", collection.estimated_document_count)
    message = str(failure.value)
    assert waits == [0.05, 0.1, 0.2]
    assert f"MongoDB claude_logs.conversations at mongodb://127.0.0.1:{port}" in message
    assert "counting documents failed after 4 attempt(s)" in message
    assert "check that the server is running" in message
    assert PASSWORD not in message and "alice:" not in message
    assert PASSWORD not in repr(target)


def test_rejected_credentials_fail_at_once_without_the_password(mongo_server: MongoServer) -> None:
    host = mongo_server.uri.split("//", 1)[1].rstrip("/")
    target = MongoTarget(
        uri=f"mongodb://nobody:{PASSWORD}@{host}/?authSource=admin",
        database="claude_logs",
        collection="conversations",
        timeout_ms=2_000,
        retries=3,
        backoff_seconds=5,  # a retry would make this test slow: there must be none
    )
    started = time.monotonic()
    with target.open() as collection, pytest.raises(MongoSourceError) as failure:
        target.call("counting documents", collection.estimated_document_count)
    assert time.monotonic() - started < 5
    message = str(failure.value)
    assert "after 1 attempt(s)" in message and f"at mongodb://{host}" in message
    assert "check the user name and password in MONGO_URI" in message
    assert PASSWORD not in message
