"""One SeaweedFS per session; the small sample built once on the local default lake and once
on the REST catalog over object storage, so the tests compare the two runs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from claude_analytics_tests.conftest import SMALL_SAMPLE
from claude_analytics_tests.support.seaweedfs import SeaweedLake, launch
from claude_analytics_tests.support.warehouse_build import BuiltWarehouse, build

FIRST = SMALL_SAMPLE.start
LAST = date.fromordinal(SMALL_SAMPLE.start.toordinal() + SMALL_SAMPLE.days)
PIPELINE_BUCKET = "pipeline-lake"
# Lines that must become dead letters, so both lake tables hold rows (3 of ~1,000: under the
# 1% gate). Dated on the sample's second day through the file's modification time.
BROKEN_FILE = "-home-dev-broken/broken.jsonl"
BROKEN_LINES = (b'{"type": "user", "cut', b"[1, 2, 3]", b"\xff\xfe not text")
BROKEN_DAY = date.fromordinal(FIRST.toordinal() + 1)


@contextmanager
def catalog_env(variables: dict[str, str] | None) -> Iterator[None]:
    """The catalog variables of one run: the given ones, or none (the local default)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [v for v in os.environ if v.startswith("PYICEBERG_CATALOG__")]:
            patch.delenv(name)
        for name, value in (variables or {}).items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedLake]:
    with launch(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="session")
def source_with_dead_letters(
    small_sample_master: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    root = tmp_path_factory.mktemp("remote_source") / "projects"
    shutil.copytree(small_sample_master, root)
    broken = root / BROKEN_FILE
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"\n".join(BROKEN_LINES) + b"\n")
    noon = datetime.combine(BROKEN_DAY, time(12), UTC).timestamp()
    os.utime(broken, (noon, noon))
    return root


@dataclass(frozen=True)
class Builds:
    local: BuiltWarehouse
    remote: BuiltWarehouse
    catalog: dict[str, str]
    """The variables of the remote run (credentials included: never print them)."""


@pytest.fixture(scope="session")
def builds(
    seaweed: SeaweedLake,
    source_with_dead_letters: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Builds:
    """The same source through the whole graph twice: local default lake, then REST + S3."""
    with catalog_env(None):
        local = build(tmp_path_factory.mktemp("local_lake"), source_with_dead_letters, FIRST, LAST)
    variables = seaweed.catalog_env(seaweed.create_table_bucket(PIPELINE_BUCKET))
    with catalog_env(variables):
        remote = build(
            tmp_path_factory.mktemp("remote_lake"), source_with_dead_letters, FIRST, LAST
        )
    return Builds(local=local, remote=remote, catalog=variables)


@pytest.fixture
def remote_catalog(builds: Builds, monkeypatch: pytest.MonkeyPatch) -> Builds:
    """This test's environment points at the remote run's catalog and object store."""
    for name, value in builds.catalog.items():
        monkeypatch.setenv(name, value)
    return builds
