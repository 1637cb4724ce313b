"""Hand-made transcripts for each way Claude Code repeats an API response: streaming, a
resumed session, a sidechain replay; plus an unpriced model and incremental rebuilds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from claude_analytics_tests import golden
from claude_analytics_tests.transcripts import assistant, prompt, tool_result, write
from claude_analytics_tests.warehouse_build import BuiltWarehouse, build, run_window

FIRST = date(2026, 10, 5)
LAST = date(2026, 10, 7)
STREAM_CWD = "/work/stream"
RESUME_CWD = "/work/resume"
SIDE_CWD = "/work/side"
UNPRICED_MODEL = "claude-future-9-20990101"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, second, tzinfo=UTC)


def _streaming(root: Path) -> None:
    """One response in three entries (output grows 3 → 40 → 250) and one without requestId;
    a third response by a model with no price."""
    s = "stream-session"
    write(
        root,
        "-work-stream/stream-session.jsonl",
        [
            prompt("s-u1", s, at(5, 10), STREAM_CWD),
            assistant(
                "s-a1",
                s,
                at(5, 10, 0, 5),
                STREAM_CWD,
                message_id="msg_A",
                request_id="req_A",
                output_tokens=3,
                block={"type": "thinking", "thinking": "hmm"},
            ),
            assistant(
                "s-a2",
                s,
                at(5, 10, 0, 6),
                STREAM_CWD,
                message_id="msg_A",
                request_id="req_A",
                output_tokens=40,
            ),
            assistant(
                "s-a3",
                s,
                at(5, 10, 0, 7),
                STREAM_CWD,
                message_id="msg_A",
                request_id="req_A",
                output_tokens=250,
                block={
                    "type": "tool_use",
                    "id": "toolu_stream",
                    "name": "Bash",
                    "input": {"command": "ls"},
                },
            ),
            tool_result("s-u2", s, at(5, 10, 0, 9), STREAM_CWD, "toolu_stream"),
            assistant(
                "s-b1",
                s,
                at(5, 10, 0, 12),
                STREAM_CWD,
                message_id="msg_B",
                request_id=None,
                output_tokens=7,
            ),
            assistant(
                "s-b2",
                s,
                at(5, 10, 0, 13),
                STREAM_CWD,
                message_id="msg_B",
                request_id=None,
                output_tokens=90,
            ),
            prompt("s-u3", s, at(5, 10, 5), STREAM_CWD, "And now?"),
            assistant(
                "s-c1",
                s,
                at(5, 10, 5, 4),
                STREAM_CWD,
                message_id="msg_U",
                request_id="req_U",
                output_tokens=500,
                model=UNPRICED_MODEL,
            ),
        ],
    )


def _resumed(root: Path) -> None:
    """Session R1 has two responses; R2 resumes it, repeating R1's entries, then adds one."""
    r1 = [
        prompt("r-u1", "resume-1", at(6, 9), RESUME_CWD),
        assistant(
            "r-a1",
            "resume-1",
            at(6, 9, 0, 10),
            RESUME_CWD,
            message_id="msg_C",
            request_id="req_C",
            output_tokens=100,
        ),
        prompt("r-u2", "resume-1", at(6, 9, 5), RESUME_CWD, "Also the tests"),
        assistant(
            "r-a2",
            "resume-1",
            at(6, 9, 5, 10),
            RESUME_CWD,
            message_id="msg_D",
            request_id="req_D",
            output_tokens=200,
        ),
    ]
    write(root, "-work-resume/resume-1.jsonl", r1)
    copies = [dict(entry, sessionId="resume-2") for entry in r1]
    write(
        root,
        "-work-resume/resume-2.jsonl",
        [
            {"type": "summary", "summary": "Fix the bug", "leafUuid": "r-a2"},
            *copies,
            prompt("r-u3", "resume-2", at(6, 13), RESUME_CWD, "Continue"),
            assistant(
                "r-a3",
                "resume-2",
                at(6, 13, 0, 10),
                RESUME_CWD,
                message_id="msg_E",
                request_id="req_E",
                output_tokens=300,
            ),
        ],
    )


def _sidechain_replay(root: Path) -> None:
    """A Task call whose subagent file replays the main chain's response as a sidechain copy."""
    m = "side-main"
    write(
        root,
        "-work-side/side-main.jsonl",
        [
            prompt("m-u1", m, at(7, 11), SIDE_CWD),
            assistant(
                "m-a1",
                m,
                at(7, 11, 0, 5),
                SIDE_CWD,
                message_id="msg_F",
                request_id="req_F",
                output_tokens=400,
                block={
                    "type": "tool_use",
                    "id": "toolu_task",
                    "name": "Task",
                    "input": {"prompt": "look"},
                },
            ),
            tool_result("m-u2", m, at(7, 11, 3), SIDE_CWD, "toolu_task"),
        ],
    )
    write(
        root,
        "-work-side/side-main/subagents/agent-1234abcd.jsonl",
        [
            assistant(
                "x-replay",
                m,
                at(7, 11, 0, 5),
                SIDE_CWD,
                message_id="msg_F",
                request_id="req_F",
                output_tokens=400,
                sidechain=True,
            ),
            prompt("x-u1", m, at(7, 11, 0, 6), SIDE_CWD, "look", sidechain=True),
            assistant(
                "x-a1",
                m,
                at(7, 11, 1),
                SIDE_CWD,
                message_id="msg_G",
                request_id="req_G",
                output_tokens=50,
                model="claude-haiku-4-5-20251001",
                sidechain=True,
            ),
        ],
    )


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hand_made") / "projects"
    _streaming(root)
    _resumed(root)
    _sidechain_replay(root)
    return root


@pytest.fixture(scope="module")
def built(transcripts: Path, tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build(tmp_path_factory.mktemp("dedupe_home"), transcripts, FIRST, LAST)


def _responses(built: BuiltWarehouse, session: str) -> dict[str, tuple[int, bool]]:
    return {
        response_id: (output, sidechain)
        for response_id, output, sidechain in built.rows(
            "select response_id, output_tokens, is_sidechain from marts.fct_token_usage "
            "where session_id = $s",
            {"s": session},
        )
    }


def test_streamed_entries_count_once_with_their_final_tokens(built: BuiltWarehouse) -> None:
    responses = _responses(built, "stream-session")
    assert responses == {
        "msg_A:req_A": (250, False),
        "msg_B:": (90, False),
        "msg_U:req_U": (500, False),
    }
    inputs = built.value(
        "select sum(input_tokens) from marts.fct_token_usage where session_id = 'stream-session'"
    )
    assert inputs == 30  # 10 per response, not per entry
    latency = built.value(
        "select latency_ms from marts.fct_tool_calls where tool_use_id = 'toolu_stream'"
    )
    assert latency == 2_000  # the result at :09 minus the tool_use entry at :07


def test_a_model_without_price_costs_nothing_and_is_flagged(built: BuiltWarehouse) -> None:
    assert built.rows(
        "select cost_usd, is_priced, total_tokens from marts.fct_token_usage where model_id = $m",
        {"m": UNPRICED_MODEL},
    ) == [(0.0, False, 10 + 500 + 100 + 1_000)]
    assert (
        built.value(f"select is_priced from marts.dim_models where model_id = '{UNPRICED_MODEL}'")
        is False
    )
    flag = built.check_results()["every_model_with_tokens_has_a_price"]
    assert not flag.passed
    assert flag.severity.value == "WARN"
    # msg_A at Sonnet 4.5 prices: 10 input, 250 output, 100 5-minute writes, 1000 reads
    cost_a = built.value(
        "select cost_usd from marts.fct_token_usage where response_id = 'msg_A:req_A'"
    )
    assert cost_a == pytest.approx((10 * 3 + 250 * 15 + 100 * 3.75 + 1_000 * 0.3) / 1e6)


def test_a_resumed_session_does_not_recount_the_history_it_repeats(built: BuiltWarehouse) -> None:
    assert _responses(built, "resume-1") == {
        "msg_C:req_C": (100, False),
        "msg_D:req_D": (200, False),
    }
    assert _responses(built, "resume-2") == {"msg_E:req_E": (300, False)}
    sessions = {
        row[0]: row[1:]
        for row in built.rows(
            "select session_id, started_at, ended_at, prompts, api_responses "
            "from marts.dim_sessions where session_id like 'resume-%'"
        )
    }
    assert sessions == {
        "resume-1": (at(6, 9), at(6, 9, 5, 10), 2, 2),
        "resume-2": (at(6, 13), at(6, 13, 0, 10), 1, 1),
    }
    assert (
        built.value("select count(*) from marts.fct_messages where project_id = '-work-resume'")
        == 6
    )


def test_a_sidechain_replay_counts_once_on_the_main_chain(built: BuiltWarehouse) -> None:
    assert _responses(built, "side-main") == {
        "msg_F:req_F": (400, False),
        "msg_G:req_G": (50, True),
    }
    assert built.rows(
        "select api_responses, subagent_responses, subagent_response_share from marts.dim_sessions "
        "where session_id = 'side-main'"
    ) == [(2, 1, 0.5)]
    assert built.rows(
        "select tool_name, tool_category, latency_ms from marts.fct_tool_calls "
        "where tool_use_id = 'toolu_task'"
    ) == [("Task", "agent", 175_000)]


def test_the_marts_agree_with_the_independent_recounts(
    built: BuiltWarehouse, transcripts: Path
) -> None:
    expected = golden.compute(transcripts)
    assert len(expected.responses) == 8
    assert built.value("select sum(total_tokens) from marts.fct_token_usage") == sum(
        r.total for r in expected.responses
    )
    reconciliation = built.check_results()["token_totals_match_raw"]
    assert reconciliation.passed
    assert reconciliation.metadata["raw_responses"].value == 8


def test_an_hourly_run_rebuilds_only_its_days_and_a_full_refresh_all(
    built: BuiltWarehouse,
) -> None:
    """Runs last in this module: it changes the warehouse the other tests read."""
    # Tamper with a fact on 2026-10-05: only a run that covers that day may rewrite it.
    with duckdb.connect(str(built.duckdb_path)) as con:
        con.execute(
            "update marts.fct_token_usage set cost_usd = -1 where event_date = '2026-10-05'"
        )
    write(
        built.logs_dir,
        "-work-resume/resume-3.jsonl",
        [
            prompt("n-u1", "resume-3", at(6, 20), RESUME_CWD),
            assistant(
                "n-a1",
                "resume-3",
                at(6, 20, 0, 3),
                RESUME_CWD,
                message_id="msg_N",
                request_id="req_N",
                output_tokens=77,
            ),
        ],
    )
    day = date(2026, 10, 6)
    run_window(built.home, built.logs_dir, day, day)
    assert _responses(built, "resume-3") == {"msg_N:req_N": (77, False)}
    assert built.value("select count(*) from marts.fct_token_usage where cost_usd = -1") == 3
    assert built.value("select count(*) from marts.fct_token_usage") == 9

    run_window(built.home, built.logs_dir, day, day + timedelta(days=0), full_refresh=True)
    assert built.value("select count(*) from marts.fct_token_usage where cost_usd = -1") == 0
    assert built.value("select count(*) from marts.fct_token_usage") == 9
