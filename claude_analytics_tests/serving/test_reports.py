"""`claude-analytics report`: the printed figures are the marts' figures."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from typer.testing import CliRunner

from claude_analytics.cli import app
from claude_analytics_tests.serving.conftest import Served, isolate, warehouse_rows

TOKENS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
FIGURES = (*TOKENS, "total_tokens", "cost_usd")
USAGE_SQL = f"""
    select responded_at, model_id, session_id, project_id, {", ".join(TOKENS)}, cost_usd
    from marts.fct_token_usage
"""


@pytest.fixture
def report(served: Served, monkeypatch: pytest.MonkeyPatch):
    """Runs the CLI against the served home and returns the parsed JSON; the machine's
    zone (reports' default) is UTC unless a test says otherwise."""
    isolate(monkeypatch, served.home.parent)
    monkeypatch.setenv("TZ", "UTC")

    def _run(*args: str) -> dict[str, Any]:
        result = CliRunner().invoke(app, ["report", *args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return _run


def _usage(served: Served) -> list[dict[str, Any]]:
    """One dict per API response, read from the mart itself (not the snapshot)."""
    rows = warehouse_rows(served.warehouse, USAGE_SQL)
    names = ("responded_at", "model", "session_id", "project_id", *TOKENS, "cost_usd")
    return [dict(zip(names, row, strict=True)) for row in rows]


def _totals(rows: list[dict[str, Any]]) -> dict[str, float]:
    sums = {name: sum(row[name] for row in rows) for name in TOKENS}
    sums["total_tokens"] = sum(sums[name] for name in TOKENS)
    sums["cost_usd"] = float(sum(row["cost_usd"] for row in rows))
    return sums


def _assert_figures(actual: dict[str, Any], expected: dict[str, float]) -> None:
    for name in TOKENS + ("total_tokens",):
        assert actual[name] == expected[name], name
    assert math.isclose(actual["cost_usd"], expected["cost_usd"], rel_tol=1e-6, abs_tol=1e-6)


def _grouped(rows: list[dict[str, Any]], key) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return {name: _totals(members) for name, members in groups.items()}


def test_daily_report_equals_agg_model_costs(served: Served, report) -> None:
    data = report("daily", "--breakdown")
    marts = warehouse_rows(
        served.warehouse,
        f"select event_date::varchar, model_id, {', '.join(TOKENS)}, cost_usd "
        "from marts.agg_model_costs",
    )
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for day, model, *figures in marts:
        by_day[day].append(
            {"model": model, **dict(zip((*TOKENS, "cost_usd"), figures, strict=True))}
        )
    assert [row["period"] for row in data["rows"]] == sorted(by_day)
    for row in data["rows"]:
        expected_models = sorted(by_day[row["period"]], key=lambda m: m["model"])
        _assert_figures(row, _totals(expected_models))
        assert row["models"] == [m["model"] for m in expected_models]
        assert [part["model"] for part in row["breakdown"]] == row["models"]
        for part, expected in zip(row["breakdown"], expected_models, strict=True):
            _assert_figures(part, _totals([expected]))
    _assert_figures(data["totals"], _totals([m for ms in by_day.values() for m in ms]))


def test_weekly_monthly_and_session_reports_regroup_every_response(served: Served, report) -> None:
    usage = _usage(served)
    utc = ZoneInfo("UTC")

    def monday(row: dict[str, Any]) -> str:
        day = row["responded_at"].astimezone(utc).date()
        return (day - timedelta(days=day.weekday())).isoformat()

    cases = {
        "weekly": _grouped(usage, monday),
        "monthly": _grouped(usage, lambda r: r["responded_at"].astimezone(utc).strftime("%Y-%m")),
        "session": _grouped(usage, lambda r: r["session_id"]),
    }
    for kind, expected in cases.items():
        data = report(kind)
        assert {row["period"] for row in data["rows"]} == set(expected), kind
        for row in data["rows"]:
            _assert_figures(row, expected[row["period"]])
        _assert_figures(data["totals"], _totals(usage))


def test_time_zone_and_filters_cut_days_locally(served: Served, report) -> None:
    usage = _usage(served)
    zone = ZoneInfo("America/Los_Angeles")
    local = [{**row, "day": row["responded_at"].astimezone(zone).date()} for row in usage]
    days = sorted({row["day"] for row in local})
    since, until = days[1], days[-2]
    project = sorted({row["project_id"] for row in usage})[0][-8:]
    expected = _grouped(
        [r for r in local if since <= r["day"] <= until and project in r["project_id"]],
        lambda r: r["day"].isoformat(),
    )
    data = report(
        "daily",
        "--timezone",
        "America/Los_Angeles",
        "--since",
        since.strftime("%Y%m%d"),
        "--until",
        until.isoformat(),
        "--project",
        project,
    )
    assert data["timezone"] == "America/Los_Angeles"
    assert {row["period"] for row in data["rows"]} == set(expected)
    for row in data["rows"]:
        _assert_figures(row, expected[row["period"]])
    # The same responses, cut at local midnight instead of UTC's.
    assert _grouped(local, lambda r: r["day"].isoformat()) != _grouped(
        usage, lambda r: r["responded_at"].astimezone(ZoneInfo("UTC")).date().isoformat()
    )


def test_reports_cut_days_in_the_machines_zone_by_default(
    served: Served, report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    usage = _usage(served)
    zone = ZoneInfo("America/Los_Angeles")
    data = report("daily")
    assert data["timezone"] == "America/Los_Angeles"
    expected = _grouped(usage, lambda r: r["responded_at"].astimezone(zone).date().isoformat())
    assert {row["period"] for row in data["rows"]} == set(expected)
    for row in data["rows"]:
        _assert_figures(row, expected[row["period"]])
        assert row["unpriced_tokens"] == 0 and row["unpriced_models"] == []


def test_blocks_report_equals_the_blocks_mart(served: Served, report) -> None:
    blocks = warehouse_rows(
        served.warehouse,
        f"""
        select strftime(block_started_at::timestamptz, '%Y-%m-%d %H:%M'), {", ".join(TOKENS)},
            total_tokens, cost_usd
        from marts.agg_usage_blocks order by block_started_at
        """,
    )
    data = report("blocks")
    assert [row["period"] for row in data["rows"]] == [b[0] for b in blocks]
    for row, (_, *figures) in zip(data["rows"], blocks, strict=True):
        _assert_figures(row, dict(zip(FIGURES, [*figures[:5], float(figures[5])], strict=True)))


def test_report_table_and_errors(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(monkeypatch, served.home.parent)
    monkeypatch.setenv("COLUMNS", "140")
    usage = _usage(served)
    result = CliRunner().invoke(app, ["report", "daily"])
    assert result.exit_code == 0, result.output
    assert f"{_totals(usage)['total_tokens']:,}" in result.output
    assert "Cache" in result.output and "Total" in result.output

    bad_zone = CliRunner().invoke(app, ["report", "daily", "--timezone", "Mars/Olympus"])
    assert bad_zone.exit_code == 2 and "Unknown time zone" in bad_zone.output
    blocks_by_project = CliRunner().invoke(app, ["report", "blocks", "--project", "api"])
    assert blocks_by_project.exit_code == 2


def test_report_without_a_snapshot_says_what_to_run() -> None:
    result = CliRunner().invoke(app, ["report", "daily"])
    assert result.exit_code == 2
    assert "No serving snapshot" in result.output and "claude-analytics run" in result.output


def test_report_names_the_missing_mart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = isolate(monkeypatch, tmp_path)
    snapshot = home / "serving" / "analytics.duckdb"
    snapshot.parent.mkdir(parents=True)
    with duckdb.connect(str(snapshot)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_token_usage as select 1 as session_id")
    result = CliRunner().invoke(app, ["report", "daily"])
    assert result.exit_code == 2
    assert "marts.fct_token_usage.model_id" in result.output


def test_unpriced_tokens_are_reported_per_row_and_in_the_totals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = isolate(monkeypatch, tmp_path)
    snapshot = home / "serving" / "analytics.duckdb"
    snapshot.parent.mkdir(parents=True)
    with duckdb.connect(str(snapshot)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.fct_token_usage as
            select * from (values
                ('s1', 'p', 'claude-opus-4-6', timestamptz '2026-03-10 10:00:00+00',
                    date '2026-03-10', false, 10, 20, 30, 40, 0.5, 0),
                ('s1', 'p', 'claude-future-9', timestamptz '2026-03-10 11:00:00+00',
                    date '2026-03-10', false, 1, 2, 3, 4, 0.0, 10),
                ('s2', 'p', 'claude-opus-4-6', timestamptz '2026-03-11 10:00:00+00',
                    date '2026-03-11', false, 1, 1, 1, 1, 0.1, 0)
            ) as t(session_id, project_id, model_id, responded_at, event_date, is_sidechain,
                input_tokens, output_tokens, cache_creation_input_tokens,
                cache_read_input_tokens, cost_usd, unpriced_tokens)
            """
        )
    result = CliRunner().invoke(app, ["report", "daily", "--timezone", "UTC", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(r["period"], r["unpriced_tokens"], r["unpriced_models"]) for r in data["rows"]] == [
        ("2026-03-10", 10, ["claude-future-9"]),
        ("2026-03-11", 0, []),
    ]
    assert data["totals"]["unpriced_tokens"] == 10
    assert data["totals"]["unpriced_models"] == ["claude-future-9"]
    table = CliRunner().invoke(app, ["report", "daily", "--timezone", "UTC"])
    assert "10 tokens have no price" in table.output and "claude-future-9" in table.output
