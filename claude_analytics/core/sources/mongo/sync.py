"""Load a Claude Code JSONL directory into the collection, in the DESIGN.md document shape.

Each line's key is its file and line number (see `documents.document_id`), so a second
sync, or a sync restarted after an interruption, inserts only the lines still missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from claude_analytics.core.identity import Identity, resolve_identity
from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics.core.sources.mongo.documents import encode_entry, to_document
from claude_analytics.core.sources.mongo.source import INDEXES

DEFAULT_SYNC_BATCH = 1_000
_DUPLICATE_KEY = 11000
# The report keeps the first problems verbatim; the counts cover all of them.
MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    source_file: str
    line_number: int
    reason: str


@dataclass
class SyncReport:
    files: int = 0
    lines: int = 0
    inserted: int = 0
    already_present: int = 0
    not_objects: int = 0
    rejected: int = 0
    # Lines whose JSON, re-encoded compactly, differs from the file's bytes (extra spaces,
    # escaped non-ASCII): their raw_json from MongoDB is equivalent but not byte-identical.
    reencoded: int = 0
    problems: list[Problem] = field(default_factory=list)

    def note(self, problem: Problem) -> None:
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)


def ensure_indexes(target: MongoTarget, collection: Collection) -> list[str]:
    """Create the indexes the extract and the sensor query by (idempotent)."""
    for name, keys in INDEXES:
        target.call(
            f"creating index {name}", lambda k=keys, n=name: collection.create_index(k, name=n)
        )
    return [name for name, _ in INDEXES]


def jsonl_files(root: Path) -> list[Path]:
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a directory of Claude Code JSONL files")
    return sorted(p for p in root.rglob("*.jsonl") if p.is_file())


def _entries(path: Path, relative: str, report: SyncReport) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, entry) of every line that holds a JSON object; the rest are reported."""
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        report.lines += 1
        try:
            text = raw.decode()
            entry = json.loads(text)
        except UnicodeDecodeError:
            reason = "invalid UTF-8"
        except json.JSONDecodeError as error:
            reason = f"invalid JSON ({error.msg})"
        else:
            if isinstance(entry, dict):
                if encode_entry(entry) != text:
                    report.reencoded += 1
                yield number, entry
                continue
            reason = f"a JSON {type(entry).__name__}, not an object"
        report.not_objects += 1
        report.note(Problem(relative, number, reason))


def _flush(
    target: MongoTarget,
    collection: Collection,
    batch: list[tuple[int, dict[str, Any]]],
    report: SyncReport,
) -> None:
    """Insert a batch unordered; lines already present fail on the `_id` key and are counted.

    No lookup first: the unique `_id` index answers "is it there?" during the insert, which
    is one round trip, and servers without query pushdown (FerretDB) would scan for it.
    """
    # One ingestedAt per insert: BSON keeps milliseconds, so the sensor sees a clean order.
    now = datetime.now(UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    documents = [document for _, document in batch]
    for document in documents:
        document["ingestedAt"] = now
    try:
        result = target.call(
            "inserting synced lines",
            lambda: collection.insert_many(documents, ordered=False),
            expected=(BulkWriteError,),
        )
        report.inserted += len(result.inserted_ids)
    except BulkWriteError as error:
        details = error.details
        report.inserted += int(details.get("nInserted", 0))
        for write_error in details.get("writeErrors", []):
            if write_error.get("code") == _DUPLICATE_KEY:
                report.already_present += 1
                continue
            report.rejected += 1
            number, document = batch[write_error["index"]]
            reason = f"rejected by the server: {write_error.get('errmsg')}"
            report.note(Problem(document["sourceFile"], number, reason))


def sync_directory(
    target: MongoTarget,
    root: Path,
    *,
    batch_size: int = DEFAULT_SYNC_BATCH,
    on_progress: Callable[[int], None] | None = None,
    identity: Identity | None = None,
) -> SyncReport:
    """Insert every line of every .jsonl file under `root` that the collection lacks,
    stamped with `identity`: who synced it from which machine, by default this machine's
    configured or OS user and host (`Identity(None, None)` stamps nothing, as older syncs).

    `on_progress` receives the bytes of each file once its lines are written.
    """
    who = identity or resolve_identity()
    report = SyncReport()
    files = jsonl_files(root)
    with target.open() as collection:
        ensure_indexes(target, collection)
        batch: list[tuple[int, dict[str, Any]]] = []
        for path in files:
            relative = path.relative_to(root).as_posix()
            project = relative.split("/", 1)[0] if "/" in relative else ""
            report.files += 1
            for number, entry in _entries(path, relative, report):
                document = to_document(
                    entry,
                    source_file=relative,
                    line_number=number,
                    project_id=project,
                    ingested_at=datetime.now(UTC),
                    user_id=who.user_id,
                    hostname=who.hostname,
                )
                batch.append((number, document))
                if len(batch) >= batch_size:
                    _flush(target, collection, batch, report)
                    batch = []
            if on_progress is not None:
                on_progress(path.stat().st_size)
        if batch:
            _flush(target, collection, batch, report)
    return report
