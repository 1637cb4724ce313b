"""Extract throughput from MongoDB next to a bare pymongo scan of the same collection.

    .venv/bin/python benchmarks/mongo_extract.py [--entries 100000] [--uri mongodb://...]

Without --uri it starts the test harness's server (mongod on PATH, else the FerretDB built
by scripts/test-deps/ferretdb.sh) in a temporary folder. It generates the sample, syncs it,
then times, over the same collection: a bare pymongo scan (decode only), the MongoDB
source's batches (decode + re-serialise to raw lines), the whole extract (plus parsing in
DuckDB and one Iceberg commit), and the same extract from the JSONL files for reference.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from benchmarks import stages
from claude_analytics.core.contracts import DateWindow
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.sources.base import LogSource
from claude_analytics.core.sources.jsonl import JsonlDirectorySource
from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics.core.sources.mongo.source import DEFAULT_BATCH_SIZE, MongoSource
from claude_analytics.core.sources.mongo.sync import sync_directory
from claude_analytics.core.sources.sample.generator import SampleSpec, generate


class Clock:
    """Wall time plus the CPU seconds of this process and of the server (when we run it):
    on a shared machine the CPU figures show what the work itself costs."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid

    def _server_cpu(self) -> float:
        if self.server_pid is None:
            return 0.0
        fields = Path(f"/proc/{self.server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def start(self) -> tuple[float, float, float]:
        return time.perf_counter(), time.process_time(), self._server_cpu()

    def report(self, label: str, entries: int, started: tuple[float, float, float]) -> None:
        wall = time.perf_counter() - started[0]
        client = time.process_time() - started[1]
        server = self._server_cpu() - started[2]
        print(
            f"{label:<44} {entries:>8,} entries {wall:7.1f} s {entries / wall:>8,.0f}/s wall"
            f"  cpu: client {client:6.1f} s, server {server:6.1f} s",
            flush=True,
        )


def extract(source: LogSource, window: DateWindow, lake_dir: Path) -> int:
    """source -> parse -> one Iceberg commit, as the lake asset does; returns rows written."""
    table = lake.ensure_table(lake.open_catalog(lake_dir), lake.CONVERSATIONS)

    def parsed() -> Iterable[pa.Table]:
        for batch in source.iter_batches(window):
            yield stages.parse(source, batch, window).entries

    return lake.replace_window(table, window.start, window.end, parsed()).rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--uri", help="an existing server (default: start the test server)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mongo-bench-") as scratch:
        work = Path(scratch)
        server = None
        uri = args.uri
        if not uri:
            from claude_analytics_tests.support.mongo_server import launch

            server = launch(work / "server")
            uri = server.uri
            print(f"server: {server.kind} at {uri}")
        try:
            pid = server.process.pid if server is not None and server.process else None
            run(work, uri, args.entries, args.batch_size, Clock(pid))
        finally:
            if server is not None:
                server.stop()


def run(work: Path, uri: str, entries: int, batch_size: int, clock: Clock) -> None:
    target = MongoTarget(uri=uri, database="benchmark", collection="conversations")
    with target.open() as collection:
        collection.drop()
    root = work / "projects"
    generate(root, SampleSpec(entries=entries))
    # Undated entries are dated by ingestedAt (now), so the window runs to tomorrow.
    window = DateWindow(SampleSpec().start, datetime.now(UTC).date() + timedelta(days=1))

    started = clock.start()
    report = sync_directory(target, root)
    clock.report("sync (JSONL -> MongoDB, insert)", report.inserted, started)

    with target.open() as collection:
        started = clock.start()
        scanned = sum(1 for _ in collection.find({}, batch_size=batch_size))
        clock.report("bare pymongo scan (find all, decode)", scanned, started)

    source = MongoSource(target=target, batch_size=batch_size)
    started = clock.start()
    lines = sum(batch.num_rows for batch in source.iter_batches(window))
    clock.report("MongoDB source batches (raw lines)", lines, started)

    started = clock.start()
    rows = extract(source, window, work / "lake_mongo")
    clock.report("MongoDB extract (source + parse + Iceberg)", rows, started)

    started = clock.start()
    rows = extract(JsonlDirectorySource(root=root), window, work / "lake_jsonl")
    clock.report("JSONL extract, same entries (reference)", rows, started)


if __name__ == "__main__":
    main()
