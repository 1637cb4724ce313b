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
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from claude_analytics.lib import lake
from claude_analytics.lib.mongo.client import MongoTarget
from claude_analytics.lib.mongo.sync import sync_directory
from claude_analytics.lib.parsing import parse_batch
from claude_analytics.lib.partitions import partition_bounds
from claude_analytics.lib.sample_data import SampleSpec, generate
from claude_analytics.lib.sources.base import DateWindow, LogSource
from claude_analytics.lib.sources.jsonl import JsonlDirectorySource
from claude_analytics.lib.sources.mongo import DEFAULT_BATCH_SIZE, MongoSource


def timed(label: str, entries: int, seconds: float) -> None:
    print(
        f"{label:<44} {entries:>9,} entries {seconds:8.2f} s {entries / seconds:>10,.0f} entries/s"
    )


def extract(source: LogSource, window: DateWindow, lake_dir: Path) -> int:
    """source -> parse -> one Iceberg commit, as the lake asset does; returns rows written."""
    first, last = partition_bounds()
    table = lake.ensure_table(lake.open_catalog(lake_dir), lake.CONVERSATIONS)

    def parsed() -> Iterable[pa.Table]:
        for batch in source.iter_batches(window):
            yield parse_batch(
                batch,
                window,
                inherit_file_time=source.inherits_file_time,
                run_id="benchmark",
                partition_start=first,
                partition_end=last,
            ).entries

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
            from claude_analytics_tests.mongo.server import launch

            server = launch(work / "server")
            uri = server.uri
            print(f"server: {server.kind} at {uri}")
        try:
            run(work, uri, args.entries, args.batch_size)
        finally:
            if server is not None:
                server.stop()


def run(work: Path, uri: str, entries: int, batch_size: int) -> None:
    target = MongoTarget(uri=uri, database="benchmark", collection="conversations")
    with target.open() as collection:
        collection.drop()
    root = work / "projects"
    generate(root, SampleSpec(entries=entries))
    # Undated entries are dated by ingestedAt (now), so the window runs to tomorrow.
    window = DateWindow(SampleSpec().start, datetime.now(UTC).date() + timedelta(days=1))

    started = time.perf_counter()
    report = sync_directory(target, root)
    timed("sync (JSONL -> MongoDB, insert)", report.inserted, time.perf_counter() - started)

    with target.open() as collection:
        started = time.perf_counter()
        scanned = sum(1 for _ in collection.find({}, batch_size=batch_size))
        timed("bare pymongo scan (find all, decode)", scanned, time.perf_counter() - started)

    source = MongoSource(target=target, batch_size=batch_size)
    started = time.perf_counter()
    lines = sum(batch.num_rows for batch in source.iter_batches(window))
    timed("MongoDB source batches (raw lines)", lines, time.perf_counter() - started)

    started = time.perf_counter()
    rows = extract(source, window, work / "lake_mongo")
    timed("MongoDB extract (source + parse + Iceberg)", rows, time.perf_counter() - started)

    started = time.perf_counter()
    rows = extract(JsonlDirectorySource(root=root), window, work / "lake_jsonl")
    timed("JSONL extract, same entries (reference)", rows, time.perf_counter() - started)


if __name__ == "__main__":
    main()
