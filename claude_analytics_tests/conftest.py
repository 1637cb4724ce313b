"""Every test runs against temporary paths: never the machine's ~/.claude or a shared home.

For the whole session, whichever pytest-xdist worker asks first: the small sample is
generated once, and the two warehouses built from it (`team_warehouse`, `jsonl_warehouse`)
are built once and shared read-only; a third build of it (`sample_home`) is for the tests
that change a built home, each of which gets it as built (support/warehouse_build.py,
PristineHome). Tests that share a module-scoped fixture run in one worker (`--dist
loadgroup`). When the session ends it fails if a test wrote inside the
repository or changed a shared build.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from filelock import FileLock

from claude_analytics.core.sources.sample.generator import SampleSpec, generate
from claude_analytics_tests.support import repo_guard
from claude_analytics_tests.support.shared import session_root

REPO = Path(__file__).resolve().parents[1]
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
SMALL_SAMPLE_LAST = date.fromordinal(SMALL_SAMPLE.start.toordinal() + SMALL_SAMPLE.days)
# Session-scoped fixtures no other worker can reuse (a server process and builds on it):
# the tests that use them run in one worker, so it starts and builds once.
WORKER_BOUND = {
    "seaweed": "remote_lake",
    "builds": "remote_lake",
    "pristine_sample_home": "sample_home",
}


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


@pytest.fixture(scope="session", autouse=True)
def dbt_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """dbt's artifacts in a copy of the prepared `dbt_project/target` (`make install` prepares
    it) under the session's temporary root, through dbt's own DBT_TARGET_PATH: every `dg`
    command re-parses the project as `dagster dev` does, and no test writes in the repository."""
    shared = session_root(tmp_path_factory)
    target = shared / "dbt_target"
    with FileLock(str(shared / "dbt_target.lock")):
        if not target.exists():
            prepared = REPO / "dbt_project" / "target"
            if prepared.is_dir():
                shutil.copytree(prepared, target)
            else:
                target.mkdir()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DBT_TARGET_PATH", str(target))
        yield target


@pytest.fixture(scope="session")
def small_sample_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated once per session (the same files, mtimes included, in every xdist worker);
    tests copy it so mtimes and contents stay pristine."""
    shared = session_root(tmp_path_factory)
    root = shared / "sample_master" / "projects"
    with FileLock(str(shared / "sample_master.lock")):
        if not (root.parent / ".complete").exists():
            shutil.rmtree(root.parent, ignore_errors=True)
            generate(root, SMALL_SAMPLE)
            (root.parent / ".complete").write_text("generated\n")
    return root


@pytest.fixture(scope="session")
def team_warehouse(small_sample_master: Path, tmp_path_factory: pytest.TempPathFactory):
    """The small sample built once per session as the bundled sample (a team's projects
    with their owners' identities): the golden tests of every mart read it."""
    from claude_analytics_tests.support.warehouse_build import build, built_once

    def make(root: Path):
        with pytest.MonkeyPatch.context() as monkeypatch:
            home = isolate(monkeypatch, root)
            return build(
                home, small_sample_master, SMALL_SAMPLE.start, SMALL_SAMPLE_LAST, as_sample=True
            )

    return built_once(tmp_path_factory, "team", make)


@pytest.fixture(scope="session")
def jsonl_warehouse(small_sample_master: Path, tmp_path_factory: pytest.TempPathFactory):
    """The small sample built once per session as a JSONL directory (CLAUDE_LOGS_DIR), then
    its serving assets materialised once more after the run, so the snapshot holds the
    run's completed checks: the serving tests, the MongoDB comparison and the layer counts
    read it."""
    from claude_analytics_tests.support.warehouse_build import (
        build,
        built_once,
        materialize_serving,
        pipeline_env,
    )

    def make(root: Path):
        with pytest.MonkeyPatch.context() as monkeypatch:
            home = isolate(monkeypatch, root)
            built = build(home, small_sample_master, SMALL_SAMPLE.start, SMALL_SAMPLE_LAST)
            with pipeline_env(built.home, built.logs_dir):
                assert materialize_serving(built.duckdb_path).success
            return built

    return built_once(tmp_path_factory, "jsonl", make)


@pytest.fixture(scope="session")
def pristine_sample_home(small_sample_master: Path, tmp_path_factory: pytest.TempPathFactory):
    """The small sample built as a JSONL directory over its window, once per session, for
    the tests that change a built home (`sample_home`); they run in one worker."""
    from claude_analytics_tests.support.warehouse_build import PristineHome, build

    def make(root: Path):
        with pytest.MonkeyPatch.context() as monkeypatch:
            home = isolate(monkeypatch, root)
            return build(home, small_sample_master, SMALL_SAMPLE.start, SMALL_SAMPLE_LAST)

    return PristineHome(tmp_path_factory.mktemp("sample_home"), make)


@pytest.fixture
def sample_home(pristine_sample_home, monkeypatch: pytest.MonkeyPatch):
    """The small sample built over its window, this test's to change: the home and its logs
    directory (CLAUDE_LOGS_DIR) are selected, and put back as built when the test ends."""
    from claude_analytics_tests.support.warehouse_build import build_env

    with pristine_sample_home.checkout() as built:
        for name, value in build_env(built).items():
            monkeypatch.setenv(name, value)
        yield built


@pytest.fixture
def small_sample(
    tmp_path: Path, small_sample_master: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A private copy of the small sample, selected as the JSONL source via CLAUDE_LOGS_DIR."""
    root = tmp_path / "projects"
    shutil.copytree(small_sample_master, root)  # copytree keeps mtimes (copy2)
    monkeypatch.setenv("CLAUDE_LOGS_DIR", str(root))
    return root


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests save what a reviewer may want to see (screenshots): TEST_ARTIFACTS_DIR,
    or a folder of the session's temporary root; never inside the repository."""
    chosen = os.environ.get("TEST_ARTIFACTS_DIR")
    path = Path(chosen) if chosen else session_root(tmp_path_factory) / "test-artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Groups for `--dist loadgroup`: the tests of a module that has a module-scoped fixture
    (a build, a server) run in one worker, which sets it up once; so do the tests of a
    worker-bound session fixture (WORKER_BOUND). Every other test is scheduled on its own."""
    groups = {}
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        bound = sorted(WORKER_BOUND[name] for name in info.names_closure if name in WORKER_BOUND)
        module_scoped = any(
            definitions[-1].scope == "module"
            for definitions in info.name2fixturedefs.values()
            if definitions
        )
        group = bound[0] if bound else item.nodeid.split("::")[0] if module_scoped else None
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
            groups[item.nodeid] = group
    if os.environ.get("PYTEST_XDIST_WORKER"):
        from claude_analytics_tests.support import xdist_groups

        # Longest first: the units (a test, or a group) holding a `slow` test or a
        # worker-bound build start before the rest, so none of them is left for the end.
        slow = {
            groups.get(item.nodeid, item.nodeid)
            for item in items
            if item.get_closest_marker("slow")
        }
        slow |= {group for group in groups.values() if group in WORKER_BOUND.values()}
        items.sort(key=lambda item: groups.get(item.nodeid, item.nodeid) not in slow)
        xdist_groups.record(config, groups)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup` with the groups above (support/xdist_groups.py says why)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from claude_analytics_tests.support.xdist_groups import SharedFixtureScheduling

    return SharedFixtureScheduling(config, log)


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist's workers start with COLUMNS=80 and LINES=24 in their environment, which a
    plain run does not have: the CLI's rich consoles, created when the CLI is imported, would
    keep 80 columns whatever width a test asks for. A worker sees what a plain run sees."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        for name in ("COLUMNS", "LINES"):
            os.environ.pop(name, None)


def pytest_sessionstart(session: pytest.Session) -> None:
    if repo_guard.is_controller(session.config):
        repo_guard.record(session.config)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fails the session if a test wrote inside the repository or changed a shared build."""
    if repo_guard.is_controller(session.config):
        repo_guard.verify(session)
