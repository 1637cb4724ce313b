"""The offline dashboard: built by its asset, opened by headless Chromium, charts with data."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from plotly.offline import get_plotlyjs

from claude_analytics.commands.instance import get_instance
from claude_analytics.core.config import load_settings
from claude_analytics.core.serving.dashboard import SECTIONS, render
from claude_analytics.defs.serving.assets import DASHBOARD, SERVING_SNAPSHOT, mart_keys
from claude_analytics_tests.serving.conftest import Served, isolate, warehouse_rows
from claude_analytics_tests.support.browser import CHROMIUM, HeadlessChromium
from claude_analytics_tests.support.warehouse_build import BuiltWarehouse

CHART_IDS = {chart.id for _, charts in SECTIONS for chart in charts}
READY = "document.body !== null && document.body.getAttribute('data-ready') === 'true'"

# Per chart: the traces as Plotly holds them after plotting, and the SVG marks it drew.
INSPECT_CHARTS = """
Array.from(document.querySelectorAll('.js-plotly-plot')).map(function (gd) {
  return {
    id: gd.id.replace(/^chart-/, ''),
    marks: gd.querySelectorAll('.point, .js-line, .hm image').length,
    traces: gd.data.map(function (t) {
      function list(a) { return a ? Array.prototype.slice.call(a) : null; }
      return {name: t.name || null, type: t.type, x: list(t.x), y: list(t.y)};
    })
  };
})
"""


def test_serving_assets_follow_every_mart() -> None:
    from claude_analytics.definitions import defs

    graph = defs().resolve_asset_graph()
    snapshot_deps = graph.get(SERVING_SNAPSHOT).parent_keys
    assert set(mart_keys()) <= snapshot_deps
    assert dg.AssetKey(["marts", "agg_daily_summary"]) in snapshot_deps
    assert graph.get(DASHBOARD).parent_keys == {SERVING_SNAPSHOT}


def test_dashboard_path_is_asset_metadata(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(monkeypatch, served.home.parent)
    instance = get_instance(load_settings())
    event = instance.get_latest_materialization_event(DASHBOARD)
    assert event is not None and event.asset_materialization is not None
    metadata = event.asset_materialization.metadata
    assert metadata["path"] == dg.MetadataValue.path(str(served.dashboard))
    assert metadata["url"] == dg.MetadataValue.url(served.dashboard.as_uri())
    assert metadata["charts"].value == len(CHART_IDS)

    page = served.dashboard.read_text(encoding="utf-8")
    assert page.count(get_plotlyjs()) == 1, "plotly.js is inlined exactly once"
    outside_bundle = page.replace(get_plotlyjs(), "")
    assert "<script src" not in outside_bundle and "<link" not in outside_bundle


def test_dashboard_in_headless_chromium(
    served: Served, tmp_path: Path, artifacts_dir: Path
) -> None:
    screenshot = artifacts_dir / "dashboard.png"
    assert CHROMIUM.exists(), "scripts/test-deps/chromium.sh installs Debian's chromium"
    browser = HeadlessChromium(tmp_path / "profile")
    try:
        browser.open(served.dashboard.as_uri(), READY)
        status = json.loads(
            browser.evaluate("document.getElementById('dashboard-status').textContent")
        )
        charts = {chart["id"]: chart for chart in browser.evaluate(INSPECT_CHARTS)}
        screenshot.unlink(missing_ok=True)
        browser.screenshot(screenshot)
        errors = browser.console_errors()
        requested = browser.requested_urls()
    finally:
        browser.close()

    assert status["done"] is True
    assert status["errors"] == [] and errors == []
    assert status["missing"] == {}, "every panel has its marts"
    assert {chart["id"] for chart in status["charts"]} == CHART_IDS
    assert all(chart["points"] > 0 for chart in status["charts"]), status["charts"]
    assert set(charts) == CHART_IDS
    assert all(chart["marks"] > 0 for chart in charts.values()), {
        k: v["marks"] for k, v in charts.items()
    }
    assert all(url.startswith(("file:", "data:", "about:")) for url in requested), requested
    assert screenshot.stat().st_size > 50_000

    # The plotted figures are the marts' figures.
    days = dict(
        warehouse_rows(
            served.warehouse, "select event_date::varchar, sessions from marts.agg_daily_summary"
        )
    )
    [sessions] = charts["sessions-per-day"]["traces"]
    assert dict(zip(sessions["x"], sessions["y"], strict=True)) == days
    [(cost,)] = warehouse_rows(served.warehouse, "select sum(cost_usd) from marts.agg_model_costs")
    plotted = sum(v for trace in charts["cost-by-model"]["traces"] for v in trace["y"])
    assert math.isclose(plotted, float(cost), rel_tol=1e-9)
    models = {
        m
        for (m,) in warehouse_rows(
            served.warehouse, "select distinct model_id from marts.agg_model_costs"
        )
    }
    assert {trace["name"] for trace in charts["tokens-by-model"]["traces"]} == models


def test_a_missing_mart_leaves_a_note_not_an_error(tmp_path: Path) -> None:
    snapshot = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(snapshot)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.agg_daily_summary as "
            "select date '2026-11-01' + i::int as event_date, 10 as entries, i + 1 as sessions "
            "from range(3) as t(i)"
        )
    page, result = render(snapshot)
    assert result.charts == {"sessions-per-day": 3}
    assert result.missing["tokens-by-model"] == ["marts.agg_model_costs"]
    assert "Waiting for marts.agg_model_costs" in page


def test_make_run_prints_where_the_dashboard_is(served: Served) -> None:
    from rich.console import Console

    from claude_analytics.commands.report import print_serving_locations
    from claude_analytics.core.config import Settings

    console = Console(record=True, width=300)
    settings = Settings(
        home=served.home,
        duckdb_path=served.warehouse,
        logs_dir=None,
        mongo_configured=False,
        mongo_db="claude_logs",
        mongo_collection="conversations",
    )
    print_serving_locations(settings, console)
    printed = console.export_text()
    assert served.dashboard.as_uri() in printed
    assert str(served.snapshot) in printed


def test_a_long_sparse_history_opens_on_its_recent_days_with_data(tmp_path: Path) -> None:
    """Nine months, 40 days with data: axes hold only those days, the page opens on the
    last 30 of them, and unpriced tokens are named in a banner above everything."""
    from claude_analytics.core.serving.dashboard import RECENT_DAYS

    snapshot = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(snapshot)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.agg_model_costs as "
            "select date '2026-01-05' + (i * 7)::int as event_date, "
            "case when i % 9 = 0 then 'claude-future-9' else 'claude-opus-4-6' end as model_id, "
            "10 as input_tokens, 20 as output_tokens, 30 as cache_creation_input_tokens, "
            "40 as cache_read_input_tokens, 1.5 as cost_usd, "
            "case when i % 9 = 0 then 100 else 0 end as unpriced_tokens "
            "from range(40) as t(i)"
        )
        con.execute(
            "create table marts.fct_token_usage as "
            "select 's' || i as session_id, 'p' as project_id, model_id, "
            "event_date::timestamptz as responded_at, event_date, false as is_sidechain, "
            "input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, "
            "cost_usd, unpriced_tokens "
            "from marts.agg_model_costs, range(1) as t(i)"
        )
    page, result = render(snapshot)
    figures = json.loads(
        page.split('id="dashboard-figures">', 1)[1].split("</script>", 1)[0].replace("<\\/", "</")
    )
    days = sorted(
        {str(date) for (date,) in _rows(snapshot, "select event_date from marts.agg_model_costs")}
    )
    axis = figures["tokens-by-model"]["layout"]["xaxis"]
    assert axis["type"] == "category"
    assert axis["range"] == [len(days) - RECENT_DAYS - 0.5, len(days) - 0.5]
    plotted = sorted({x for trace in figures["tokens-by-model"]["data"] for x in trace["x"]})
    assert plotted == days  # only days with data, none of the empty weeks between them
    assert figures["tokens-by-model"]["layout"]["meta"]["categories"] == len(days)
    assert 'data-window="all"' in page and 'data-window="recent"' in page
    assert f"the {RECENT_DAYS} most recent of {len(days)}" in page
    banner = page.split('id="unpriced-banner">', 1)[1].split("</div>", 1)[0]
    assert "500 tokens have no price" in banner and "claude-future-9" in banner
    assert result.charts["cost-by-model"] == 40


def _rows(snapshot: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(sql).fetchall()


VIEW = "JSON.parse(document.getElementById('dashboard-status').textContent || '{}')"


def test_the_user_filter_redraws_each_persons_view(
    team_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """A team's snapshot: the filter offers every person, and picking one redraws the split
    charts, KPIs and tables with that person's figures alone (computed from the facts)."""
    from claude_analytics.core.serving.dashboard import build_dashboard

    snapshot = team_warehouse.home / "serving" / "analytics.duckdb"
    result = build_dashboard(snapshot, tmp_path / "dashboard.html")
    users = [u for (u,) in _rows(snapshot, "select user_id from marts.dim_users order by 1")]
    assert sorted(result.users) == users and len(users) >= 3
    assert {"cost-by-model", "cache-by-day", "tool-error-classes"} <= set(result.user_charts)
    person = "alice"
    [(cost,)] = _rows(
        snapshot, f"select sum(cost_usd) from marts.fct_token_usage where user_id = '{person}'"
    )
    errors = dict(
        _rows(
            snapshot,
            "select error_class, count(*) from marts.fct_tool_errors "
            f"where user_id = '{person}' group by 1",
        )
    )
    browser = HeadlessChromium(tmp_path / "profile")
    try:
        browser.open(result.path.as_uri(), READY)
        assert sorted(browser.evaluate(VIEW)["users"]) == users
        browser.evaluate(
            "(function () { var f = document.getElementById('user-filter');"
            f" f.value = {json.dumps(person)}; f.dispatchEvent(new Event('change')); }})()"
        )
        deadline = time.monotonic() + 30
        while (browser.evaluate(VIEW).get("view") or {}).get("user") != person:
            assert time.monotonic() < deadline, "the user's view was not drawn"
            time.sleep(0.2)
        status = browser.evaluate(VIEW)
        charts = {chart["id"]: chart for chart in browser.evaluate(INSPECT_CHARTS)}
        kpi = browser.evaluate(
            f"document.querySelector('.kpis[data-view={json.dumps(person)}] .value').textContent"
        )
        hidden_all = browser.evaluate("document.querySelector('.kpis[data-view=\"\"]').hidden")
        errors_seen = browser.console_errors()
    finally:
        browser.close()
    assert status["view"]["user"] == person and status["errors"] == [] and errors_seen == []
    plotted = sum(v for trace in charts["cost-by-model"]["traces"] for v in trace["y"])
    assert math.isclose(plotted, float(cost), rel_tol=1e-9)
    [bars] = charts["tool-error-classes"]["traces"]
    assert dict(zip(bars["y"], bars["x"], strict=True)) == errors
    assert kpi == f"${float(cost):,.2f}" and hidden_all is True
