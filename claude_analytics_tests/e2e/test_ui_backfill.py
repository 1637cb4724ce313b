"""The Dagster UI as an operator lives it: a real webserver and daemon on a sample home.

A backfill of every asset but maintenance (the lake and everything downstream) over three
days is launched the way the UI's Materialize dialog launches it (GraphQL
`launchPartitionBackfill`), with the hourly job queued beside it before the daemon
starts, and must end
COMPLETED_SUCCESS in two runs with the data in every layer. Then
Debian's Chromium opens the pages an operator looks at and saves them under
`$TEST_ARTIFACTS_DIR/ui/` (by default in the session's temporary folder) for a reviewer.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from claude_analytics.commands.instance import get_instance
from claude_analytics.core.config import Settings, load_settings
from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from claude_analytics.core.serving import snapshot as serving
from claude_analytics.core.warehouse import anomalies
from claude_analytics.defs.jobs import MAINTENANCE
from claude_analytics_tests.conftest import SMALL_SAMPLE, entries_by_event_date, isolate
from claude_analytics_tests.support.dagster_ui import TERMINAL_BACKFILL, TERMINAL_RUN, DagsterUI
from claude_analytics_tests.support.dagster_ui import dagster_ui as start_dagster_ui

DAYS = [SMALL_SAMPLE.start + timedelta(days=i) for i in (1, 2, 3)]
pytestmark = [pytest.mark.timeout(1500), pytest.mark.slow]


@dataclass(frozen=True)
class Deployment:
    ui: DagsterUI
    settings: Settings
    logs: Path
    backfill_id: str
    backfill: dict
    hourly_run_id: str
    hourly_status: str


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, small_sample_master: Path
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("ui")
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, root)
        logs = root / "projects"
        logs.mkdir()
        monkeypatch.setenv("CLAUDE_LOGS_DIR", str(logs))
        # the storage exists before two processes start on it (as `dg dev` creates it first)
        get_instance(load_settings()).dispose()
        # The live JSONL sensor would load every day of the transcripts beside the backfill;
        # the operator turns it off in the UI, and only then do the transcripts arrive. The
        # hourly job and the backfill are queued from the UI, and the daemon, started then,
        # takes both up at once.
        with start_dagster_ui(root / "server-logs", start_daemon=False) as ui:
            ui.stop_sensor("jsonl_new_lines")
            shutil.rmtree(logs)
            shutil.copytree(small_sample_master, logs)
            # The hourly job as its schedule submits it, running beside the backfill.
            today = datetime.now(UTC).date()
            hourly = ui.launch_run(
                "hourly_incremental",
                {
                    PARTITION_RANGE_START_TAG: (today - timedelta(days=1)).isoformat(),
                    PARTITION_RANGE_END_TAG: today.isoformat(),
                },
            )
            backfill_id = ui.launch_backfill(
                [{"path": key.path} for key in _pipeline()],
                [day.isoformat() for day in DAYS],
            )
            ui.start_daemon()
            backfill = ui.wait(
                lambda: (b := ui.backfill(backfill_id))["status"] in TERMINAL_BACKFILL and b,
                900,
                "the backfill",
            )
            hourly_status = ui.wait(
                lambda: (s := ui.run_status(hourly)) in TERMINAL_RUN and s, 300, "the hourly run"
            )
            settings = load_settings()
            yield Deployment(ui, settings, logs, backfill_id, backfill, hourly, hourly_status)


def _pipeline() -> list[dg.AssetKey]:
    """What an operator selects in the lineage graph before *Materialize* (`not
    group:maintenance`): the partitioned lake and warehouse assets and everything they feed,
    reference prices, seeds, dbt models, serving."""
    from claude_analytics.definitions import defs

    graph = defs().resolve_asset_graph()
    return sorted((dg.AssetSelection.all() - MAINTENANCE).resolve(graph), key=str)


def _rows(path: Path, sql: str) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute(sql).fetchall())


def test_a_ui_backfill_over_three_days_succeeds_beside_the_hourly_job(
    deployment: Deployment,
) -> None:
    backfill = deployment.backfill
    assert backfill["status"] == "COMPLETED_SUCCESS", (backfill, deployment.ui.logs)
    assert deployment.hourly_status == "SUCCESS"
    runs = backfill["runs"]
    assert runs and all(run["status"] == "SUCCESS" for run in runs)
    ranges = [
        (tags.get(PARTITION_RANGE_START_TAG), tags.get(PARTITION_RANGE_END_TAG))
        for tags in ({t["key"]: t["value"] for t in run["tags"]} for run in runs)
    ]
    # one run loads the whole window of the raw assets; dbt and serving follow unpartitioned
    assert ranges.count((DAYS[0].isoformat(), DAYS[-1].isoformat())) == 1
    assert len(runs) == 2, runs

    expected = {day: n for day, n in entries_by_event_date(deployment.logs).items() if day in DAYS}
    warehouse = deployment.settings.duckdb_path
    assert _rows(warehouse, "select event_date, count(*) from raw.conversations group by 1") == (
        expected
    )
    assert _rows(warehouse, "select event_date, entries from marts.agg_daily_summary") == expected
    snapshot = serving.snapshot_path(deployment.settings)
    checks = _rows(snapshot, "select passed, count(*) from quality.check_results group by 1")
    assert checks[True] > 100
    # only the sample's planted anomalies may warn (marts/test_insights.py)
    failed = _rows(
        snapshot, "select check_name, severity from quality.check_results where not passed"
    )
    assert set(failed) <= set(anomalies.CHECKS), failed


def test_the_backfill_days_show_as_materialized_partitions(deployment: Deployment) -> None:
    data = deployment.ui.graphql(
        """
        {
          assetOrError(assetKey: {path: ["raw", "conversations"]}) {
            ... on Asset { assetMaterializations(limit: 20) { partition } }
          }
        }
        """
    )
    partitions = {m["partition"] for m in data["assetOrError"]["assetMaterializations"]}
    # the backfill records each day of its range; the hourly run, the last day of its own
    assert {day.isoformat() for day in DAYS} <= partitions


# page, what it shows once its data has loaded, the file it is saved as
PAGES = (
    ("/asset-groups", ("lake", "warehouse", "serving"), "lineage-groups.png"),
    ("/assets/raw/conversations?view=lineage", ("stg_entries", "tool_categories"), "lineage.png"),
    (
        f"/assets/raw/conversations?view=partitions&partition={DAYS[1]}",
        ("Materialized (", "content_hash_by_day"),
        "partitions.png",
    ),
    ("/assets/raw/conversations?view=checks", ("matches_lake", "Passed"), "checks.png"),
)


def test_screenshots_of_what_an_operator_sees(
    deployment: Deployment, tmp_path: Path, artifacts_dir: Path
) -> None:
    """The lineage, a partitioned asset's partitions and checks, and the backfill, as Debian's
    Chromium renders them, saved for a reviewer in the artifacts folder's ui/."""
    artifacts = artifacts_dir / "ui"
    artifacts.mkdir(exist_ok=True)
    from claude_analytics_tests.support.browser import HeadlessChromium

    backfill_page = f"/runs/b/{deployment.backfill_id}"
    backfill = (backfill_page, ("Succeeded", "100% completed"), "backfill.png")
    # the UI's first visit asks to join Dagster's community; what its Skip button records
    deployment.ui.graphql("mutation { setNuxSeen }")
    browser = HeadlessChromium(tmp_path / "chromium", width=1600, height=1000)
    try:
        for path, shown, name in (*PAGES, backfill):
            text = "(document.body ? document.body.innerText : '')"
            ready = " && ".join(f"{text}.includes({part!r})" for part in shown)
            browser.open(f"{deployment.ui.url}{path}", ready)
            time.sleep(3)  # graphs lay themselves out, charts draw, after the data arrives
            assert "Something went wrong" not in browser.evaluate(text), path
            browser.screenshot(artifacts / name, full_page=False)
            assert (artifacts / name).stat().st_size > 20_000, name
    finally:
        browser.close()
