"""Golden numbers for the team, attribution, cache, tool-error and anomaly marts: each
against an independent Python recount of the sample's JSONL (golden_insights.py)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from claude_analytics.core.sources.sample.generator import team_identities
from claude_analytics_tests.support import golden_insights
from claude_analytics_tests.support.golden_insights import UNKNOWN, Insights
from claude_analytics_tests.support.warehouse_build import BuiltWarehouse

CLASSES = {
    "user_rejected",
    "permission_denied",
    "timeout",
    "file_not_found",
    "edit_target_not_found",
    "command_failed",
    "other",
}


@pytest.fixture(scope="module")
def built(team_warehouse: BuiltWarehouse) -> BuiltWarehouse:
    return team_warehouse


@pytest.fixture(scope="module")
def insights(small_sample_master: Path) -> Insights:
    return golden_insights.compute(small_sample_master, dict(team_identities()))


def _close(actual: dict, expected: dict) -> None:
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert actual[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def test_the_sample_has_what_these_tests_need(insights: Insights) -> None:
    users = set(insights.user_of.values())
    assert len(users - {UNKNOWN}) >= 3 and UNKNOWN in users
    assert any(len({h for r, h in insights.host_of.items() if insights.user_of[r] == u}) > 1
               for u in users)  # fmt: skip
    names = {call.name for call in insights.calls.values()}
    assert {"Skill", "Task"} <= names and any(n.startswith("mcp__") for n in names)
    assert {kind for kind, _ in golden_insights.by_command(insights)} == {"slash_command", "skill"}
    assert {cls for cls, _ in golden_insights.errors(insights)} == CLASSES
    assert set(insights.agent_type_of.values()) - {"main", "(unknown type)"}
    assert any(golden_insights.cost_spikes(insights).values())
    assert any(any(v) for v in golden_insights.runaway_sessions(insights).values())
    assert any(burst for *_, burst in golden_insights.api_error_hours(insights).values())


def test_users_and_machines(built: BuiltWarehouse, insights: Insights) -> None:
    expected = golden_insights.by_user(insights)
    users = {
        user: (responses, tokens, cost)
        for user, responses, tokens, cost in built.rows(
            "select user_id, api_responses, total_tokens, cost_usd from marts.dim_users"
        )
    }
    assert {u: v[:2] for u, v in users.items()} == {u: v[:2] for u, v in expected.items()}
    _close({u: v[2] for u, v in users.items()}, {u: v[2] for u, v in expected.items()})
    assert built.rows("select is_identified from marts.dim_users where user_id = '(unknown)'") == [
        (False,)
    ]
    hosts: dict[tuple[str, str], int] = defaultdict(int)
    for response in insights.responses:
        hosts[(insights.user_of[id(response)], insights.host_of[id(response)])] += 1
    daily = {
        (user, host): int(n)
        for user, host, n in built.rows(
            "select user_id, hostname, sum(api_responses) from marts.agg_user_daily group by all"
        )
    }
    assert daily == dict(hosts)
    machines = dict(built.rows("select user_id, machines from marts.dim_users"))
    assert machines == {
        user: len({h for (u, h) in hosts if u == user}) for user in {u for u, _ in hosts}
    }


def test_cost_by_agent(built: BuiltWarehouse, insights: Insights) -> None:
    expected = golden_insights.by_agent(insights)
    rows = built.rows(
        "select agent_type, sum(api_responses), sum(cost_usd) from marts.agg_agent_costs group by 1"
    )
    assert {a: int(n) for a, n, _ in rows} == {a: v[0] for a, v in expected.items()}
    _close({a: c for a, _, c in rows}, {a: v[1] for a, v in expected.items()})


def test_cost_by_tool_and_mcp_server(built: BuiltWarehouse, insights: Insights) -> None:
    expected = golden_insights.by_tool(insights)
    rows = built.rows(
        "select tool_name, sum(calls), sum(errors), sum(attributed_cost_usd) "
        "from marts.agg_tool_costs group by 1"
    )
    assert {t: (int(c), int(e)) for t, c, e, _ in rows} == {t: v[:2] for t, v in expected.items()}
    _close({t: cost for t, *_, cost in rows}, {t: v[2] for t, v in expected.items()})
    # every response's cost is attributed once: the rows add up to the whole
    assert built.value("select sum(attributed_cost_usd) from marts.agg_tool_costs") == (
        pytest.approx(sum(r.cost for r in insights.responses), rel=1e-9)
    )
    servers: dict[str, float] = defaultdict(float)
    for tool, (_, _, cost) in expected.items():
        if tool.startswith("mcp__"):
            servers[tool.split("__")[1]] += cost
    _close(
        dict(
            built.rows(
                "select mcp_server, sum(attributed_cost_usd) from marts.agg_tool_costs "
                "where is_mcp group by 1"
            )
        ),
        dict(servers),
    )


def test_cost_by_slash_command_and_skill(built: BuiltWarehouse, insights: Insights) -> None:
    expected = golden_insights.by_command(insights)
    rows = built.rows(
        "select command_kind, command_name, sum(api_responses), sum(cost_usd) "
        "from marts.agg_command_costs group by all"
    )
    assert {(k, n): int(r) for k, n, r, _ in rows} == {k: v[0] for k, v in expected.items()}
    _close({(k, n): c for k, n, _, c in rows}, {k: v[1] for k, v in expected.items()})


def test_cache_hit_rate_write_mix_and_savings(built: BuiltWarehouse, insights: Insights) -> None:
    expected = golden_insights.by_model_cache(insights)
    rows = built.rows(
        """
        select model_id, sum(input_side_tokens), sum(cache_read_input_tokens),
            sum(cache_creation_input_tokens), sum(cache_creation_1h_input_tokens),
            sum(input_side_cost_usd), sum(list_price_input_cost_usd), sum(cache_savings_usd)
        from marts.agg_cache_efficiency group by 1
        """
    )
    assert {m: tuple(int(v) for v in r[:4]) for m, *r in rows} == {
        m: (c.input_side, c.reads, c.writes, c.writes_1h) for m, c in expected.items()
    }
    _close({m: r[4] for m, *r in rows}, {m: c.input_cost for m, c in expected.items()})
    _close({m: r[5] for m, *r in rows}, {m: c.list_price for m, c in expected.items()})
    _close(
        {m: r[6] for m, *r in rows}, {m: c.list_price - c.input_cost for m, c in expected.items()}
    )
    rates = dict(
        built.rows(
            "select model_id, sum(cache_read_input_tokens) / sum(input_side_tokens) "
            "from marts.agg_cache_efficiency group by 1 having sum(input_side_tokens) > 0"
        )
    )
    _close(rates, {m: c.reads / c.input_side for m, c in expected.items() if c.input_side})


def test_cache_by_day_and_project_with_its_write_mix(
    built: BuiltWarehouse, insights: Insights
) -> None:
    expected = golden_insights.cache_by(
        insights, lambda r: (r.day, r.line.source_file.split("/", 1)[0])
    )
    rows = built.rows(
        """
        select event_date, project_id, sum(input_side_tokens), sum(cache_read_input_tokens),
            sum(cache_creation_5m_input_tokens), sum(cache_creation_1h_input_tokens),
            sum(cache_savings_usd)
        from marts.agg_cache_efficiency group by all
        """
    )
    assert {(d, p): tuple(int(v) for v in r[:4]) for d, p, *r in rows} == {
        key: (c.input_side, c.reads, c.writes - c.writes_1h, c.writes_1h)
        for key, c in expected.items()
    }
    _close(
        {(d, p): r[4] for d, p, *r in rows},
        {key: c.list_price - c.input_cost for key, c in expected.items()},
    )
    assert any(c.writes_1h for c in expected.values())
    assert any(c.writes > c.writes_1h for c in expected.values())


def test_tool_errors_by_class_and_message(built: BuiltWarehouse, insights: Insights) -> None:
    expected = golden_insights.errors(insights)
    rows = built.rows(
        "select error_class, error_pattern, count(*) from marts.fct_tool_errors group by all"
    )
    assert {(c, p): int(n) for c, p, n in rows} == expected
    messages = {
        (c, p): (int(n), rank)
        for c, p, n, rank in built.rows(
            "select error_class, error_pattern, occurrences, class_rank "
            "from marts.agg_tool_error_messages"
        )
    }
    assert {key: n for key, (n, _) in messages.items()} == expected
    for cls in CLASSES:
        ranked = sorted(
            ((-n, p) for (c, p), n in expected.items() if c == cls),
        )
        top = messages[(cls, ranked[0][1])]
        assert top[1] == 1
    codes = built.rows(
        "select distinct exit_code from marts.fct_tool_errors where error_class = 'command_failed'"
    )
    assert codes and all(code is not None and code > 0 for (code,) in codes)


def test_anomaly_marts_and_checks(built: BuiltWarehouse, insights: Insights) -> None:
    spikes = dict(built.rows("select event_date, is_cost_spike from marts.agg_daily_cost_baseline"))
    assert spikes == golden_insights.cost_spikes(insights)
    sessions = {
        s: (cost, errors)
        for s, cost, errors in built.rows(
            "select session_id, is_runaway_cost, is_runaway_errors from marts.agg_session_outliers"
        )
    }
    assert sessions == golden_insights.runaway_sessions(insights)
    hours = {
        hour: (int(n), int(errors), burst)
        for hour, n, errors, burst in built.rows(
            "select hour_started_at, api_responses, api_errors, is_error_burst "
            "from marts.agg_api_error_hours"
        )
    }
    assert hours == golden_insights.api_error_hours(insights)

    # the checks warn about exactly those (the sample spans less than the recent week)
    checks = built.check_results()
    expected_keys = {
        "daily_cost_spike": {d.isoformat() for d, flagged in spikes.items() if flagged},
        "runaway_session": {s for s, flags in sessions.items() if any(flags)},
        "api_error_burst": {
            h.strftime("%Y-%m-%dT%H:00Z") for h, (_, _, burst) in hours.items() if burst
        },
    }
    logged = [
        json.loads(line)
        for line in (built.home / "alerts.log").read_text(encoding="utf-8").splitlines()
    ]
    for name, keys in expected_keys.items():
        evaluation = checks[name]
        assert not evaluation.passed and evaluation.severity.value == "WARN"
        details = evaluation.metadata["details"].value
        assert {row["key"] for row in details} == keys
        assert evaluation.metadata["alerted_now"].value == len(keys)
        assert {a["key"] for a in logged if a["check"] == name} == keys
    burst = next(a for a in logged if a["check"] == "api_error_burst")
    assert burst["kind"] == "anomaly" and burst["figures"]["api_errors"] >= 5
    assert "API errors" in burst["message"]


def test_every_model_and_column_is_documented(built: BuiltWarehouse) -> None:
    from claude_analytics.defs.transform.dbt_project import dbt_project

    manifest = json.loads(dbt_project().manifest_path.read_text())
    documented = {
        f"{node['config']['schema']}.{node['name']}": (
            node["description"],
            {name: column["description"] for name, column in node["columns"].items()},
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    tables: dict[str, list[str]] = defaultdict(list)
    for table, column in built.rows(
        "select table_schema || '.' || table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts')"
    ):
        tables[table].append(column)
    assert set(tables) == set(documented)
    undocumented = {
        table: sorted(c for c in columns if not documented[table][1].get(c))
        for table, columns in tables.items()
    }
    assert {t: c for t, c in undocumented.items() if c} == {}
    assert all(description for description, _ in documented.values())
