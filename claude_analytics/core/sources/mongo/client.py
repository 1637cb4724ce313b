"""Connecting to MongoDB with bounded retries and messages that never reveal the password."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from typing import TypeVar

from bson.codec_options import CodecOptions
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.errors import ConnectionFailure, ExecutionTimeout, OperationFailure, PyMongoError

from claude_analytics.core.uri_secrets import scrub, server_label

T = TypeVar("T")

# Errors a later attempt can cure: the server is down or restarting, the network dropped,
# a query ran past its time limit. Authentication and bad queries are not retried.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ConnectionFailure, ExecutionTimeout)
_AUTH_CODES = {13, 18}


class MongoSourceError(RuntimeError):
    """A MongoDB failure, described with the server's hosts only (never the URI)."""


@dataclass(frozen=True)
class MongoTarget:
    """One collection and how patiently to talk to it.

    `retries` extra attempts follow a transient error, waiting `backoff_seconds`, then
    twice that, and so on: with the defaults a server restart of up to ~15 s is ridden out.
    """

    uri: str = field(repr=False)
    database: str
    collection: str
    timeout_ms: int = 10_000
    retries: int = 4
    backoff_seconds: float = 1.0

    @property
    def server(self) -> str:
        return server_label(self.uri)

    def describe(self) -> str:
        return f"MongoDB {self.database}.{self.collection} at {self.server}"

    @contextmanager
    def open(self) -> Iterator[Collection]:
        """A client for the duration of the block; timeouts keep a dead server from hanging."""
        try:
            client: MongoClient = MongoClient(
                self.uri,
                serverSelectionTimeoutMS=self.timeout_ms,
                connectTimeoutMS=self.timeout_ms,
                socketTimeoutMS=max(self.timeout_ms * 6, 60_000),
                appname="claude-analytics",
            )
        except PyMongoError as error:
            raise MongoSourceError(
                f"MONGO_URI for {self.server} is not a valid MongoDB URI: "
                f"{scrub(str(error), self.uri)}"
            ) from None
        try:
            options = CodecOptions(tz_aware=True, tzinfo=UTC)
            yield client[self.database].get_collection(self.collection, codec_options=options)
        finally:
            client.close()

    def fail(self, what: str, error: BaseException, attempts: int) -> MongoSourceError:
        """The error to raise: what failed, where, and what to check (password scrubbed)."""
        detail = scrub(f"{type(error).__name__}: {error}", self.uri)
        # Server selection errors append the whole topology; its first clause says it all.
        detail = detail.split(", Timeout: ", 1)[0]
        if len(detail) > 600:
            detail = detail[:600] + "…"
        if isinstance(error, OperationFailure) and error.code in _AUTH_CODES:
            advice = "check the user name and password in MONGO_URI and the user's roles"
        else:
            advice = (
                "check that the server is running and reachable from this machine, and the "
                "host, port and TLS options in MONGO_URI"
            )
        return MongoSourceError(
            f"{self.describe()}: {what} failed after {attempts} attempt(s) ({detail}); {advice}."
        )

    def call(
        self,
        what: str,
        operation: Callable[[], T],
        expected: tuple[type[PyMongoError], ...] = (),
    ) -> T:
        """Run `operation`, retrying transient errors with exponential backoff.

        `expected` errors are the caller's to handle (a bulk insert's duplicate keys).
        """
        for attempt in range(1, self.retries + 2):
            try:
                return operation()
            except expected:
                raise
            except TRANSIENT_ERRORS as error:
                if attempt > self.retries:
                    raise self.fail(what, error, attempt) from None
                time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            except PyMongoError as error:
                raise self.fail(what, error, attempt) from None
        raise AssertionError(f"unreachable: {what}")
