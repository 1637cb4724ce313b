"""Every test runs against temporary paths: never the machine's ~/.claude or a shared home."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from claude_analytics.core.sources.sample.generator import SampleSpec, generate

ISOLATED_VARIABLES = (
    "CLAUDE_LOGS_DIR",
    "MONGO_URI",
    "MONGO_DB",
    "MONGO_COLLECTION",
    "DUCKDB_PATH",
    "ALERT_WEBHOOK_URL",
    # an object store's keys: only the remote-lake tests set them, for their own server
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_PROFILE",
)
# Five days around 2026-03-13, when Opus 4.6 and Sonnet 4.6 dropped their long-context
# tier: the golden tests see both price periods and requests past 200k input tokens.
SMALL_SAMPLE = SampleSpec(entries=1_000, start=date(2026, 3, 10), days=5)


def isolate(monkeypatch: pytest.MonkeyPatch, root: Path) -> Path:
    """Points the home, Dagster's home and $HOME itself under `root`; clears source variables.

    Also used by fixtures that outlive one test (module or session scope).
    """
    home = root / "analytics_home"
    monkeypatch.setenv("CLAUDE_ANALYTICS_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    monkeypatch.setenv("HOME", str(root / "user_home"))
    for variable in ISOLATED_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable in [v for v in os.environ if v.startswith("PYICEBERG_CATALOG__")]:
        monkeypatch.delenv(variable)
    return home


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own temporary home; nothing reads the machine's ~/.claude."""
    yield isolate(monkeypatch, tmp_path)


@pytest.fixture(scope="session")
def small_sample_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated once per session; tests copy it so mtimes and contents stay pristine."""
    root = tmp_path_factory.mktemp("sample_master") / "projects"
    generate(root, SMALL_SAMPLE)
    return root


@pytest.fixture(scope="session")
def team_warehouse(small_sample_master: Path, tmp_path_factory: pytest.TempPathFactory):
    """The small sample built once per session as the bundled sample (a team's projects
    with their owners' identities): the golden tests of every mart read it."""
    from claude_analytics_tests.warehouse_build import build

    first = SMALL_SAMPLE.start
    last = date.fromordinal(first.toordinal() + SMALL_SAMPLE.days)
    return build(
        tmp_path_factory.mktemp("golden"), small_sample_master, first, last, as_sample=True
    )


@pytest.fixture
def small_sample(
    tmp_path: Path, small_sample_master: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A private copy of the small sample, selected as the JSONL source via CLAUDE_LOGS_DIR."""
    root = tmp_path / "projects"
    shutil.copytree(small_sample_master, root)  # copytree keeps mtimes (copy2)
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(root))
    return root


def count_source_lines(root: Path) -> int:
    """Independent count of source entries: non-blank lines of every .jsonl file."""
    return sum(
        1
        for path in root.rglob("*.jsonl")
        for line in path.read_bytes().split(b"\n")
        if line.strip()
    )


@pytest.fixture
def run_pipeline():
    """Runs the `full_pipeline` job in process over [first, last] against the tmp home."""
    import dagster as dg

    from claude_analytics.commands.runner import run_full_pipeline
    from claude_analytics.core.config import load_settings
    from claude_analytics.definitions import defs

    def _run(first: date, last: date) -> dg.ExecuteInProcessResult:
        result = run_full_pipeline(defs(), load_settings(), first, last)
        assert result.success, "the full pipeline run failed"
        return result

    return _run


def entries_by_event_date(root: Path) -> dict[date, int]:
    """Independent count of entries per UTC event date, straight from the JSONL files.

    An entry's date is its timestamp's, else (summary, snapshots) its file's first timestamp.
    """
    import json
    from collections import Counter
    from datetime import datetime

    counts: Counter[date] = Counter()
    for path in root.rglob("*.jsonl"):
        stamps = [
            json.loads(line).get("timestamp")
            for line in path.read_text().splitlines()
            if line.strip()
        ]
        first = min(datetime.fromisoformat(s) for s in stamps if s)
        for stamp in stamps:
            counts[(datetime.fromisoformat(stamp) if stamp else first).date()] += 1
    return dict(counts)
