"""Golden numbers: the marts against an independent Python recount of the sample's JSONL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claude_analytics.lib.sample_data import PROJECTS, project_slug
from claude_analytics_tests import golden
from claude_analytics_tests.conftest import SMALL_SAMPLE
from claude_analytics_tests.warehouse_build import BuiltWarehouse, build

FIRST = SMALL_SAMPLE.start
LAST = date.fromordinal(SMALL_SAMPLE.start.toordinal() + SMALL_SAMPLE.days)


@pytest.fixture(scope="module")
def built(small_sample_master: Path, tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build(tmp_path_factory.mktemp("golden"), small_sample_master, FIRST, LAST)


@pytest.fixture(scope="module")
def expected(small_sample_master: Path) -> golden.Expected:
    return golden.compute(small_sample_master)


def test_the_sample_has_what_the_golden_tests_need(expected: golden.Expected) -> None:
    # Streaming, resumed copies and subagents must be present, or the dedupe is untested.
    assert len(expected.responses) > 100
    assert any(r.line.sidechain for r in expected.responses)
    assert sum(expected.tool_errors.values()) > 0
    assert expected.lines_added > 0 and expected.lines_removed > 0


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


def test_cost(built: BuiltWarehouse, expected: golden.Expected) -> None:
    assert built.value("select sum(cost_usd) from marts.fct_token_usage") == pytest.approx(
        expected.cost(), abs=1e-6
    )
    assert built.value("select sum(cost_usd) from marts.agg_daily_summary") == pytest.approx(
        expected.cost(), abs=1e-6
    )
    # the one-hour cache writes are priced at their own rate: without them the cost differs
    assert any(r.cache_1h for r in expected.responses)


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
    assert failed == []
    # every dbt test of the project reports as an asset check
    assert len(checks) > 100
