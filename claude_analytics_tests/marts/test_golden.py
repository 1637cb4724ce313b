"""Golden numbers: the marts against an independent Python recount of the sample's JSONL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claude_analytics.core.sources.sample.generator import PROJECTS, project_slug
from claude_analytics_tests.conftest import SMALL_SAMPLE
from claude_analytics_tests.support import golden
from claude_analytics_tests.support.warehouse_build import BuiltWarehouse

FIRST = SMALL_SAMPLE.start
LAST = date.fromordinal(SMALL_SAMPLE.start.toordinal() + SMALL_SAMPLE.days)


@pytest.fixture(scope="module")
def built(team_warehouse: BuiltWarehouse) -> BuiltWarehouse:
    return team_warehouse


@pytest.fixture(scope="module")
def expected(small_sample_master: Path) -> golden.Expected:
    return golden.compute(small_sample_master)


def test_the_sample_has_what_the_golden_tests_need(
    expected: golden.Expected, small_sample_master: Path
) -> None:
    # Streaming, resumed copies, subagents and their echoes must be present, or the dedupe
    # is untested; so must long requests (the context tier) and every kind of edit.
    assert len(expected.responses) > 100
    assert any(r.line.sidechain for r in expected.responses)
    assert any(r.is_echo for r in expected.responses), "responses known only from echoes"
    echoed = _echoed_agents(small_sample_master)
    files = {p.name for p in small_sample_master.rglob("agent-*.jsonl")}
    assert any(f"agent-{agent}.jsonl" in files for agent in echoed), "echo and file copy"
    assert any(f"agent-{agent}.jsonl" not in files for agent in echoed), "echo, no file"
    assert any(sum(r.tokens) - r.tokens[1] > 200_000 for r in expected.responses)
    assert {"claude-opus-4-6", "claude-sonnet-4-5-20250929"} <= {
        r.model for r in expected.responses
    }
    assert sum(expected.tool_errors.values()) > 0
    assert expected.lines_added > 0 and expected.lines_removed > 0
    results = [line.entry.get("toolUseResult") for line in golden.read_lines(small_sample_master)]
    payloads = [r for r in results if isinstance(r, dict)]
    assert any(r.get("type") == "create" and not r.get("structuredPatch") for r in payloads)
    assert any("new_source" in r for r in payloads)


def _echoed_agents(root: Path) -> dict[str, str]:
    """agentId -> the Task call (parentToolUseID) of every agent_progress entry."""
    return {
        line.entry["data"]["agentId"]: line.entry["parentToolUseID"]
        for line in golden.read_lines(root)
        if line.entry.get("type") == "progress"
        and line.entry["data"].get("type") == "agent_progress"
    }


def test_tokens_by_day_and_model(built: BuiltWarehouse, expected: golden.Expected) -> None:
    actual = {
        (day, model): (int(i), int(o), int(w), int(r))
        for day, model, i, o, w, r in built.rows(
            """
            select event_date, model_id, sum(input_tokens), sum(output_tokens),
                sum(cache_creation_input_tokens), sum(cache_read_input_tokens)
            from marts.fct_token_usage group by all
            """
        )
    }
    assert actual == expected.tokens_by_day_and_model()
    by_model = {
        (day, model): int(total)
        for day, model, total in built.rows(
            "select event_date, model_id, total_tokens from marts.agg_model_costs"
        )
    }
    assert by_model == {key: sum(v) for key, v in expected.tokens_by_day_and_model().items()}
    assert built.value("select count(*) from marts.fct_token_usage") == len(expected.responses)


def test_cost_equals_the_price_librarys_own_calculation(
    built: BuiltWarehouse, expected: golden.Expected
) -> None:
    """Each response priced by genai-prices' calc_price at its own time and size."""
    by_model = dict(
        built.rows("select model_id, sum(cost_usd) from marts.fct_token_usage group by 1")
    )
    assert by_model == pytest.approx(expected.cost_by_model(), rel=1e-9, abs=1e-12)
    assert built.value("select sum(cost_usd) from marts.fct_token_usage") == pytest.approx(
        expected.cost(), abs=1e-6
    )
    assert built.value("select sum(cost_usd) from marts.agg_daily_summary") == pytest.approx(
        expected.cost(), abs=1e-6
    )
    # the one-hour cache writes are priced at their own rate: without them the cost differs
    assert any(r.cache_1h for r in expected.responses)
    # requests past 200k input tokens pay the long-context tier on all of their tokens
    tiered = built.rows(
        "select response_id, request_input_tokens from intermediate.int_token_costs "
        "where price_tier_input_tokens_above = 200000"
    )
    assert tiered and all(tokens > 200_000 for _, tokens in tiered)
    assert built.value("select sum(unpriced_tokens) from marts.fct_token_usage") == sum(
        r.unpriced_tokens for r in expected.responses
    )


def test_progress_and_queue_entries_are_staged(
    built: BuiltWarehouse, small_sample_master: Path
) -> None:
    lines = golden.read_lines(small_sample_master)
    kinds: dict[tuple[str, str], int] = {}
    for line in lines:
        kind = line.entry.get("type")
        if kind == "progress":
            key = (kind, line.entry["data"]["type"])
        elif kind == "queue-operation":
            key = (kind, line.entry["operation"])
        else:
            continue
        kinds[key] = kinds.get(key, 0) + 1
    staged = {
        (entry_type, kind): n
        for entry_type, kind, n in built.rows(
            "select entry_type, event_kind, count(*) from staging.stg_session_events group by all"
        )
    }
    assert staged == kinds
    assert {("progress", "agent_progress"), ("queue-operation", "enqueue")} <= set(kinds)
    assert built.value(
        "select count(*) from staging.stg_entries where permission_mode is not null"
    ) == sum(1 for line in lines if "permissionMode" in line.entry)


def test_subagent_usage_is_attributed_to_its_task_call(
    built: BuiltWarehouse, small_sample_master: Path, expected: golden.Expected
) -> None:
    lines = golden.read_lines(small_sample_master)
    task_types = {
        block["id"]: block["input"]["subagent_type"]
        for line in lines
        if line.entry.get("type") == "assistant"
        for block in line.entry["message"]["content"]
        if block.get("type") == "tool_use" and block["name"] == "Task"
    }
    echoed = _echoed_agents(small_sample_master)
    runs = {
        agent: (parent, kind)
        for agent, parent, kind in built.rows(
            "select agent_id, parent_tool_use_id, subagent_type from intermediate.int_subagent_runs"
            " where parent_tool_use_id is not null"
        )
    }
    assert runs == {agent: (tool, task_types[tool]) for agent, tool in echoed.items()}
    attributed = dict(
        built.rows(
            "select parent_tool_use_id, sum(total_tokens) from marts.fct_token_usage "
            "where parent_tool_use_id is not null group by 1"
        )
    )
    agent_of = {tool: agent for agent, tool in echoed.items()}
    want: dict[str, int] = {}
    for response in expected.responses:
        agent = response.line.entry.get("agentId") or (response.line.entry.get("data") or {}).get(
            "agentId"
        )
        if response.subagent and agent in echoed:
            want[echoed[agent]] = want.get(echoed[agent], 0) + response.total
    assert attributed == want and set(want) <= set(agent_of)


def test_sessions_and_their_durations(built: BuiltWarehouse, expected: golden.Expected) -> None:
    actual = {
        row[0]: row[1:]
        for row in built.rows(
            """
            select session_id, started_at, ended_at, duration_seconds, active_seconds,
                api_responses, tool_calls
            from marts.dim_sessions
            """
        )
    }
    assert set(actual) == set(expected.sessions)
    for session_id, want in expected.sessions.items():
        started, ended, duration, active, responses, calls = actual[session_id]
        assert (started, ended) == (want.start, want.end)
        assert duration == pytest.approx((want.end - want.start).total_seconds(), abs=1e-3)
        assert active == pytest.approx(want.active_seconds, abs=1e-3)
        assert (responses, calls) == (want.responses, want.tool_calls)
    # the sample has lunch breaks: some sessions are active for less than their length
    assert any(
        s.active_seconds < (s.end - s.start).total_seconds() for s in expected.sessions.values()
    )


def test_tool_calls_and_error_rates(built: BuiltWarehouse, expected: golden.Expected) -> None:
    actual = {
        name: (calls, errors, rate)
        for name, calls, errors, rate in built.rows(
            "select tool_name, calls, errors, error_rate from marts.agg_tool_efficiency"
        )
    }
    assert {name: v[:2] for name, v in actual.items()} == {
        name: (calls, expected.tool_errors[name]) for name, calls in expected.tool_calls.items()
    }
    for calls, errors, rate in actual.values():
        assert rate == pytest.approx(errors / calls)


def test_lines_changed(built: BuiltWarehouse, expected: golden.Expected) -> None:
    assert built.rows(
        "select sum(lines_added), sum(lines_removed) from marts.fct_file_operations"
    ) == [(expected.lines_added, expected.lines_removed)]
    assert built.rows(
        "select sum(lines_added), sum(lines_removed) from marts.agg_code_changes"
    ) == [(expected.lines_added, expected.lines_removed)]


def test_five_hour_usage_blocks(built: BuiltWarehouse, expected: golden.Expected) -> None:
    actual = {
        started: int(total)
        for started, total in built.rows(
            "select block_started_at, total_tokens from marts.agg_usage_blocks"
        )
    }
    assert actual == golden.usage_blocks(expected.responses)


def test_projects_carry_their_real_paths(built: BuiltWarehouse) -> None:
    paths = dict(built.rows("select project_id, project_path from marts.dim_projects"))
    assert paths
    for project_id, path in paths.items():
        assert path in PROJECTS and project_slug(path) == project_id


def test_every_check_passed_including_the_reconciliation(built: BuiltWarehouse) -> None:
    checks = built.check_results()
    assert "token_totals_match_raw" in checks
    assert checks["token_totals_match_raw"].metadata["raw_output_tokens"].value == (
        checks["token_totals_match_raw"].metadata["mart_output_tokens"].value
    )
    failed = sorted(name for name, evaluation in checks.items() if not evaluation.passed)
    # the sample's planted anomalies warn (marts/test_insights.py); nothing else fails
    assert failed == ["api_error_burst", "daily_cost_spike", "runaway_session"]
    assert {checks[name].severity.value for name in failed} == {"WARN"}
    # every dbt test of the project reports as an asset check
    assert len(checks) > 100


CCUSAGE = Path(__file__).resolve().parents[2] / ".cache/ccusage/node_modules/.bin/ccusage"


def test_tokens_equal_ccusage_and_cost_differs_only_where_the_price_tables_do(
    built: BuiltWarehouse,
) -> None:
    """ccusage 20.0.24 (scripts/test-deps/ccusage.sh) on the same files: equal tokens per
    model, cost within 0.5%, except the long-context requests, whose tier ccusage's table
    lacks (Opus/Sonnet 4.6 before 2026-03-13) or applies per token type (Sonnet 4.5)."""
    from benchmarks.ccusage_parity import (
        ccusage_by_model,
        long_context_variants,
        warehouse_by_model,
    )

    assert CCUSAGE.exists(), "scripts/test-deps/ccusage.sh installs ccusage"
    ours, unpriced = warehouse_by_model(built.duckdb_path)
    ours = {model: side for model, side in ours.items() if any(side.tokens)}  # not <synthetic>
    theirs = ccusage_by_model(CCUSAGE, built.logs_dir)
    assert not unpriced
    assert {m: s.tokens for m, s in ours.items()} == {m: s.tokens for m, s in theirs.items()}
    variants = long_context_variants(built.duckdb_path)
    assert variants, "the sample has requests past the 200k-token tier"
    for model, side in ours.items():
        if model not in variants:
            assert side.cost == pytest.approx(theirs[model].cost, rel=0.005, abs=1e-9), model
            continue
        _, priced, flat, per_type = variants[model]
        rest = side.cost - priced
        assert side.cost > theirs[model].cost
        assert theirs[model].cost in (
            pytest.approx(rest + flat, rel=0.005),
            pytest.approx(rest + per_type, rel=0.005),
        ), model
