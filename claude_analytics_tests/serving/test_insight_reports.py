"""`claude-analytics report` on a team's data: `--by user|machine|project|branch|model`, the
`--user` filter and the summary reports of the attribution, cache and error marts, each
against the independent Python recount of the sample (golden_insights.py)."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from claude_analytics.cli import app
from claude_analytics.core.sources.sample.generator import team_identities
from claude_analytics_tests.support import golden_insights
from claude_analytics_tests.support.golden_insights import Insights
from claude_analytics_tests.support.warehouse_build import BuiltWarehouse


@pytest.fixture(scope="module")
def insights(small_sample_master: Path) -> Insights:
    return golden_insights.compute(small_sample_master, dict(team_identities()))


@pytest.fixture
def cli(team_warehouse: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch):
    """Runs `report` against the team warehouse's serving snapshot."""
    monkeypatch.setenv("CLAUDE_ANALYTICS_HOME", str(team_warehouse.home))
    monkeypatch.setenv("DAGSTER_HOME", str(team_warehouse.home / "dagster"))
    monkeypatch.setenv("TZ", "UTC")

    def _run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(app, ["report", *args])
        assert result.exit_code == code, result.output
        return result.output

    return _run


def _json(cli, *args: str) -> dict[str, Any]:
    return json.loads(cli(*args, "--json", "--timezone", "UTC"))


def _close(actual: dict, expected: dict) -> None:
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert math.isclose(actual[key], value, rel_tol=1e-6, abs_tol=1e-6), key


def _split(insights: Insights, by: str) -> dict[str, tuple[int, float]]:
    """by value -> (tokens, cost), recounted from the deduplicated responses."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for response in insights.responses:
        key = id(response)
        value = {
            "user": insights.user_of[key],
            "machine": insights.host_of[key],
            "project": response.line.source_file.split("/", 1)[0],
            "model": response.model,
            "branch": response.line.entry.get("gitBranch") or "(no branch)",
        }[by]
        sums[value][0] += response.total
        sums[value][1] += response.cost
    return {value: (int(tokens), cost) for value, (tokens, cost) in sums.items()}


@pytest.mark.parametrize("by", ["user", "machine", "project", "branch", "model"])
def test_token_report_by_each_dimension(cli, insights: Insights, by: str) -> None:
    data = _json(cli, "monthly", "--by", by)
    assert data["by"] == by
    tokens: dict[str, int] = defaultdict(int)
    cost: dict[str, float] = defaultdict(float)
    for row in data["rows"]:
        parts = row["breakdown"]
        assert sum(part["total_tokens"] for part in parts) == row["total_tokens"]
        for part in parts:
            tokens[part[by]] += part["total_tokens"]
            cost[part[by]] += part["cost_usd"]
    expected = _split(insights, by)
    assert dict(tokens) == {value: t for value, (t, _) in expected.items()}
    _close(dict(cost), {value: c for value, (_, c) in expected.items()})


def test_user_filter_keeps_one_persons_usage(cli, insights: Insights) -> None:
    expected = golden_insights.by_user(insights)
    user = max((u for u in expected if u != golden_insights.UNKNOWN), key=lambda u: expected[u][2])
    data = _json(cli, "daily", "--user", user)
    assert data["user"] == user
    assert data["totals"]["total_tokens"] == expected[user][1]
    assert math.isclose(data["totals"]["cost_usd"], expected[user][2], rel_tol=1e-6)
    table = cli("daily", "--user", user, "--by", "machine", "--timezone", "UTC")
    assert f"users matching {user!r}" in table


def test_agents_report(cli, insights: Insights) -> None:
    rows = _json(cli, "agents")["rows"]
    expected = golden_insights.by_agent(insights)
    assert {r["agent_type"]: r["api_responses"] for r in rows} == {
        a: n for a, (n, _) in expected.items()
    }
    _close({r["agent_type"]: r["cost_usd"] for r in rows}, {a: c for a, (_, c) in expected.items()})
    assert math.isclose(sum(r["cost_share"] for r in rows), 1.0, abs_tol=1e-5)  # rounded to 1e-6


def test_tools_and_mcp_reports(cli, insights: Insights) -> None:
    expected = golden_insights.by_tool(insights)
    rows = _json(cli, "tools")["rows"]
    assert {r["tool_name"]: (r["calls"], r["errors"]) for r in rows} == {
        t: (c, e) for t, (c, e, _) in expected.items()
    }
    _close(
        {r["tool_name"]: r["attributed_cost_usd"] for r in rows},
        {t: cost for t, (_, _, cost) in expected.items()},
    )
    servers: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for tool, (calls, _, cost) in expected.items():
        if tool.startswith("mcp__"):
            servers[tool.split("__")[1]][0] += calls
            servers[tool.split("__")[1]][1] += cost
    mcp = _json(cli, "mcp")["rows"]
    assert {r["mcp_server"]: r["calls"] for r in mcp} == {s: int(v[0]) for s, v in servers.items()}
    _close(
        {r["mcp_server"]: r["attributed_cost_usd"] for r in mcp},
        {s: v[1] for s, v in servers.items()},
    )


def test_commands_report(cli, insights: Insights) -> None:
    expected = golden_insights.by_command(insights)
    rows = _json(cli, "commands")["rows"]
    assert {(r["command_kind"], r["command_name"]): r["api_responses"] for r in rows} == {
        key: n for key, (n, _) in expected.items()
    }
    _close(
        {(r["command_kind"], r["command_name"]): r["cost_usd"] for r in rows},
        {key: cost for key, (_, cost) in expected.items()},
    )


def test_cache_report_by_model(cli, insights: Insights) -> None:
    expected = golden_insights.by_model_cache(insights)
    data = _json(cli, "cache", "--by", "model")
    rows = {r["dimension"]: r for r in data["rows"]}
    assert {m: r["input_side_tokens"] for m, r in rows.items()} == {
        m: c.input_side for m, c in expected.items()
    }
    _close(
        {m: r["cache_hit_rate"] for m, r in rows.items() if r["input_side_tokens"]},
        {m: c.reads / c.input_side for m, c in expected.items() if c.input_side},
    )
    _close(
        {m: r["cache_savings_usd"] for m, r in rows.items()},
        {m: c.list_price - c.input_cost for m, c in expected.items()},
    )
    by_user = _json(cli, "cache", "--by", "user")
    assert by_user["totals"]["input_side_tokens"] == sum(c.input_side for c in expected.values())


def test_errors_report_lists_each_class_with_its_top_messages(cli, insights: Insights) -> None:
    expected = golden_insights.errors(insights)
    per_class: dict[str, int] = defaultdict(int)
    for (cls, _), n in expected.items():
        per_class[cls] += n
    data = _json(cli, "errors")
    rows = data["rows"]
    assert {r["error_class"]: r["class_errors"] for r in rows} == dict(per_class)
    assert data["totals"]["class_errors"] == sum(per_class.values())
    _close(
        {r["error_class"]: r["class_share"] for r in rows},
        {cls: n / sum(per_class.values()) for cls, n in per_class.items()},
    )
    for cls in per_class:
        listed = [r for r in rows if r["error_class"] == cls]
        ranked = sorted((-n, pattern) for (c, pattern), n in expected.items() if c == cls)
        assert [(r["error_pattern"], r["occurrences"]) for r in listed] == [
            (pattern, -n) for n, pattern in ranked[:3]
        ]
    table = cli("errors")
    assert "Top messages" in table and "command_failed" in table


def test_summary_reports_print_tables_and_refuse_a_split(cli) -> None:
    for kind in ("agents", "tools", "mcp", "commands", "cache"):
        assert "Total" in cli(kind) or kind == "commands"
    assert "--by applies to" in cli("agents", "--by", "user", code=2)
    assert "--by takes" in cli("daily", "--by", "colour", code=2)
