"""`sync` against a real server: shape, idempotency, resumption, bad lines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pymongo.collection import Collection
from typer.testing import CliRunner

from claude_analytics.cli import app
from claude_analytics.core.identity import resolve_identity
from claude_analytics.core.sources.mongo.client import MongoTarget
from claude_analytics.core.sources.mongo.documents import document_id
from claude_analytics.core.sources.mongo.sync import sync_directory
from claude_analytics_tests.conftest import count_source_lines


def test_sync_writes_the_design_shape_once(
    small_sample: Path, mongo_env: MongoTarget, collection: Collection
) -> None:
    expected = count_source_lines(small_sample)
    first = sync_directory(mongo_env, small_sample, batch_size=250)
    assert (first.inserted, first.already_present, first.not_objects) == (expected, 0, 0)
    assert collection.count_documents({}) == expected

    path = sorted(small_sample.rglob("*.jsonl"))[0]
    relative = path.relative_to(small_sample).as_posix()
    original = json.loads(path.read_bytes().split(b"\n")[0])
    stored = collection.find_one({"_id": document_id(relative, 1)})
    assert stored is not None
    assert stored["projectId"] == relative.split("/")[0]
    assert stored["ingestedAt"].tzinfo is not None
    # who synced it, from which machine: this machine's names by default
    who = resolve_identity()
    assert (stored["userId"], stored["hostname"]) == (who.user_id, who.hostname)
    stamps = {"_id", "projectId", "sourceFile", "ingestedAt", "userId", "hostname"}
    assert {k: v for k, v in stored.items() if k not in stamps} == original
    assert set(collection.index_information()) >= {"_id_", "timestamp_1", "ingestedAt_1"}

    second = sync_directory(mongo_env, small_sample, batch_size=250)
    assert (second.inserted, second.already_present) == (0, expected)
    assert collection.count_documents({}) == expected


def test_an_interrupted_sync_resumes_where_it_stopped(
    small_sample: Path, mongo_env: MongoTarget, collection: Collection
) -> None:
    expected = count_source_lines(small_sample)
    files = sorted(small_sample.rglob("*.jsonl"))

    def interrupt_after_three_files(_bytes: int, seen: list[int] = []) -> None:  # noqa: B006
        seen.append(1)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync_directory(
            mongo_env, small_sample, batch_size=50, on_progress=interrupt_after_three_files
        )
    partial = collection.count_documents({})
    # Batches of 50 are written as they fill: at most the last 49 lines of 3 files are lost.
    in_three_files = count_source_lines_of(files[:3])
    assert in_three_files - 49 <= partial <= in_three_files

    resumed = sync_directory(mongo_env, small_sample, batch_size=50)
    assert resumed.inserted == expected - partial
    assert resumed.already_present == partial
    assert collection.count_documents({}) == expected
    assert len(collection.distinct("_id")) == expected


def count_source_lines_of(paths: list[Path]) -> int:
    return sum(1 for p in paths for line in p.read_bytes().split(b"\n") if line.strip())


def test_lines_that_are_not_objects_are_counted_not_inserted(
    small_sample: Path, mongo_env: MongoTarget, collection: Collection, tmp_path: Path
) -> None:
    root = tmp_path / "mixed"
    project = sorted(p for p in small_sample.iterdir() if p.is_dir())[0]
    shutil.copytree(project, root / project.name)
    good = count_source_lines(root)
    (root / project.name / "broken.jsonl").write_bytes(
        b'{"type":"user","uuid":"u-1","timestamp":"2026-11-01T10:00:00.000Z"}\n'
        b'{"type": "truncated\n'
        b"[1, 2, 3]\n"
        b"\xff\xfe not utf-8\n"
        b"\n"
        b'"a string"\n'
    )
    result = CliRunner().invoke(app, ["sync", str(root)])
    assert result.exit_code == 0, result.output
    assert "4 not JSON objects" in result.output
    assert "broken.jsonl:2" in result.output and "broken.jsonl:3" in result.output
    assert collection.count_documents({}) == good + 1
    assert collection.count_documents({"sourceFile": f"{project.name}/broken.jsonl"}) == 1
