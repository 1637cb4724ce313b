"""The MongoDB stages: a test server, a sync of the history into it, a bare scan, an extract."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from benchmarks.datasets import DataSet
from benchmarks.measure import Measured, run_stage, stage_env


def mongo_available() -> bool:
    """The MongoDB source and its test server arrive with the MongoDB issue."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in (
            "claude_analytics.core.sources.mongo.source",
            "claude_analytics_tests.support.mongo_server",
        )
    )


def mongo_stages(
    history: DataSet,
    run_dir: Path,
    out: Path,
    measured: dict[str, Measured],
    done: dict[str, Measured],
) -> str:
    """Sync the history into a fresh server, then time the bare scan and the extract."""
    if not mongo_available():
        return "not available yet: the MongoDB source has not been merged"
    labels = {
        "mongo_sync": "mongo-sync",
        "mongo_floor": "mongo-floor",
        "mongo_extract": "mongo-extract",
    }
    if all(label in done for label in labels.values()):
        measured.update({key: done[label] for key, label in labels.items()})
        return "measured by the resumed run"
    from claude_analytics_tests.support.mongo_server import launch

    work = run_dir / "mongo"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        server = launch(work)
    except RuntimeError as error:  # no server binary: say so instead of failing the run
        return f"not available: {error}"
    try:
        env = stage_env(work / "home", MONGO_URI=server.uri)
        measured["mongo_sync"] = run_stage(
            "mongo-sync", "mongo-sync", env, out, logs=str(history.root)
        )
        measured["mongo_floor"] = run_stage("mongo-floor", "mongo-floor", env, out)
        first, last = history.window()
        measured["mongo_extract"] = run_stage(
            "mongo-extract", "extract", env, out, first=first, last=last
        )
    finally:
        server.stop()
    return f"{server.kind} at {server.uri}"
