"""Hand-made transcripts for each way Claude Code repeats an API response: streaming, a
resumed session, a sidechain replay, a subagent's echoes in its parent session (with and
without the subagent's file); model ids as each API writes them, a long-context request,
a local price override and an unpriced model; lines of created files and notebook cells;
and incremental rebuilds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from genai_prices import Usage, calc_price

from claude_analytics_tests.support import golden
from claude_analytics_tests.support.transcripts import (
    agent_progress,
    assistant,
    prompt,
    tool_result,
    write,
)
from claude_analytics_tests.support.warehouse_build import (
    BuiltWarehouse,
    PristineHome,
    build,
    run_window,
)

FIRST = date(2026, 10, 5)
LAST = date(2026, 10, 7)
STREAM_CWD = "/work/stream"
RESUME_CWD = "/work/resume"
SIDE_CWD = "/work/side"
PRICE_CWD = "/work/price"
UNPRICED_MODEL = "claude-future-9-20990101"
LOCAL_MODEL = "claude-local-1"
OVERRIDES = (
    "model_id,valid_from,input_per_mtok,output_per_mtok,cache_write_5m_per_mtok,"
    "cache_write_1h_per_mtok,cache_read_per_mtok\n"
    f"{LOCAL_MODEL},2026-01-01,2,10,,,\n"
)


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
            *_edit(
                "s-w",
                at(5, 10, 1),
                "toolu_create",
                "Write",
                {"file_path": "/work/stream/new.py", "content": "a\nb\nc\n"},
                {"type": "create", "filePath": "/work/stream/new.py", "content": "a\nb\nc\n"}
                | {"structuredPatch": []},
            ),
            *_edit(
                "s-n",
                at(5, 10, 3),
                "toolu_cell",
                "NotebookEdit",
                {"notebook_path": "/work/stream/a.ipynb", "new_source": "x\ny"},
                {"new_source": "x\ny", "cell_id": "c1", "edit_mode": "insert", "error": ""},
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


def _edit(
    uuid: str, moment: datetime, tool_id: str, tool: str, tool_input: dict, result: dict
) -> list[dict]:
    """A file tool's call (one more block of the streamed msg_B) and its result a second later."""
    session = "stream-session"
    block = {"type": "tool_use", "id": tool_id, "name": tool, "input": tool_input}
    call = assistant(
        f"{uuid}1",
        session,
        moment,
        STREAM_CWD,
        message_id="msg_B",
        request_id=None,
        output_tokens=90,
        block=block,
    )
    answer = tool_result(f"{uuid}2", session, moment + timedelta(seconds=1), STREAM_CWD, tool_id)
    answer["toolUseResult"] = result
    return [call, answer]


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
    """A Task call whose subagent file replays the main chain's response as a sidechain copy
    and whose turns are echoed into the parent (agent_progress); a second Task call whose
    subagent's file is missing, so its echo is the only record of its response."""
    m = "side-main"
    helper = assistant(
        "x-a1",
        m,
        at(7, 11, 1),
        SIDE_CWD,
        message_id="msg_G",
        request_id="req_G",
        output_tokens=50,
        model="claude-haiku-4-5-20251001",
        sidechain=True,
    )
    helper["agentId"] = "1234abcd"
    lost = assistant(
        "y-a1",
        m,
        at(7, 11, 4, 30),
        SIDE_CWD,
        message_id="msg_H",
        request_id="req_H",
        output_tokens=60,
        model="claude-haiku-4-5-20251001",
        sidechain=True,
    )
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
                    "input": {"prompt": "look", "subagent_type": "general-purpose"},
                },
            ),
            agent_progress(
                "m-p1",
                m,
                at(7, 11, 1, 1),
                SIDE_CWD,
                helper,
                agent_id="1234abcd",
                parent_tool_use_id="toolu_task",
            ),
            tool_result("m-u2", m, at(7, 11, 3), SIDE_CWD, "toolu_task"),
            assistant(
                "m-a2",
                m,
                at(7, 11, 4),
                SIDE_CWD,
                message_id="msg_I",
                request_id="req_I",
                output_tokens=30,
                block={
                    "type": "tool_use",
                    "id": "toolu_task2",
                    "name": "Task",
                    "input": {"prompt": "search", "subagent_type": "Explore"},
                },
            ),
            agent_progress(
                "m-p2",
                m,
                at(7, 11, 4, 31),
                SIDE_CWD,
                lost,
                agent_id="5678efgh",
                parent_tool_use_id="toolu_task2",
            ),
            tool_result("m-u3", m, at(7, 11, 5), SIDE_CWD, "toolu_task2"),
        ],
    )
    replay = assistant(
        "x-replay",
        m,
        at(7, 11, 0, 5),
        SIDE_CWD,
        message_id="msg_F",
        request_id="req_F",
        output_tokens=400,
        sidechain=True,
    )
    write(
        root,
        "-work-side/side-main/subagents/agent-1234abcd.jsonl",
        [
            replay | {"agentId": "1234abcd"},
            prompt("x-u1", m, at(7, 11, 0, 6), SIDE_CWD, "look", sidechain=True)
            | {"agentId": "1234abcd"},
            helper,
        ],
    )


def _priced(root: Path) -> None:
    """One response per way a model id is written, a long-context request, an override."""
    s = "price-session"
    ids = (
        ("msg_P1", "anthropic/claude-sonnet-4-5-20250929", 1_000),
        ("msg_P2", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000),
        ("msg_P3", "claude-sonnet-4-5-20250929", 250_000),
        ("msg_P4", LOCAL_MODEL, 1_000),
    )
    write(
        root,
        "-work-price/price-session.jsonl",
        [
            prompt("p-u0", s, at(6, 15), PRICE_CWD),
            *(
                assistant(
                    f"p-{message_id}",
                    s,
                    at(6, 15, index + 1),
                    PRICE_CWD,
                    message_id=message_id,
                    request_id=f"req_{message_id}",
                    output_tokens=100,
                    cache_read=cache_read,
                    model=model,
                )
                for index, (message_id, model, cache_read) in enumerate(ids)
            ),
        ],
    )


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hand_made") / "projects"
    _streaming(root)
    _resumed(root)
    _sidechain_replay(root)
    _priced(root)
    return root


def _build(home: Path, transcripts: Path) -> BuiltWarehouse:
    home.mkdir(parents=True, exist_ok=True)
    (home / "price_overrides.csv").write_text(OVERRIDES, encoding="utf-8")
    return build(home, transcripts, FIRST, LAST)


@pytest.fixture(scope="module")
def pristine(transcripts: Path, tmp_path_factory: pytest.TempPathFactory) -> PristineHome:
    return PristineHome(
        tmp_path_factory.mktemp("dedupe") / "dedupe_home",
        lambda home: _build(home, transcripts),
    )


@pytest.fixture(scope="module")
def built(pristine: PristineHome) -> BuiltWarehouse:
    """Built once for the module and only read."""
    return pristine.built()


@pytest.fixture
def own_built(pristine: PristineHome) -> Iterator[BuiltWarehouse]:
    """The same build for a test that changes it, put back as built when the test ends (the
    module's tests run one after the other in one worker), so any order works."""
    with pristine.checkout() as built:
        yield built


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


def test_a_model_without_price_is_unpriced_never_zero_and_fails_a_check(
    built: BuiltWarehouse,
) -> None:
    tokens = 10 + 500 + 100 + 1_000
    assert built.rows(
        "select cost_usd, is_priced, unpriced_tokens from marts.fct_token_usage "
        "where model_id = $m",
        {"m": UNPRICED_MODEL},
    ) == [(0.0, False, tokens)]
    assert (
        built.value(f"select is_priced from marts.dim_models where model_id = '{UNPRICED_MODEL}'")
        is False
    )
    assert built.value("select sum(unpriced_tokens) from marts.agg_model_costs") == tokens
    flag = built.check_results()["every_token_is_priced"]
    assert not flag.passed
    assert flag.severity.value == "ERROR"
    assert flag.metadata["unpriced_tokens"].value == tokens
    assert flag.metadata["unpriced_models"].value == {
        UNPRICED_MODEL: {"responses": 1, "tokens": tokens}
    }
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
        "msg_I:req_I": (30, False),
        "msg_H:req_H": (60, True),
    }
    assert built.rows(
        "select api_responses, subagent_responses, subagent_response_share from marts.dim_sessions "
        "where session_id = 'side-main'"
    ) == [(4, 2, 0.5)]
    assert built.rows(
        "select tool_name, tool_category, latency_ms from marts.fct_tool_calls "
        "where tool_use_id = 'toolu_task'"
    ) == [("Task", "agent", 175_000)]


def test_an_echoed_response_counts_once_with_or_without_the_subagent_file(
    built: BuiltWarehouse,
) -> None:
    rows = {
        response_id: rest
        for response_id, *rest in built.rows(
            "select response_id, is_response_echo, entry_id, agent_id, parent_tool_use_id, "
            "subagent_type from marts.fct_token_usage where session_id = 'side-main' "
            "and is_sidechain"
        )
    }
    # msg_G: the subagent file's copy is kept, its echo is not counted again
    assert rows["msg_G:req_G"][0] is False
    assert rows["msg_G:req_G"][2:] == ["1234abcd", "toolu_task", "general-purpose"]
    # msg_H: its subagent file is missing; the echo alone records it
    assert rows["msg_H:req_H"][0] is True
    assert rows["msg_H:req_H"][2:] == ["5678efgh", "toolu_task2", "Explore"]
    assert built.rows(
        "select event_kind, parent_tool_use_id, agent_id, echoed_message_id "
        "from staging.stg_session_events order by event_at"
    ) == [
        ("agent_progress", "toolu_task", "1234abcd", "msg_G"),
        ("agent_progress", "toolu_task2", "5678efgh", "msg_H"),
    ]


def _library_cost(model: str, provider: str | None, cache_read: int) -> float:
    """The price library's own calculation for one response of the price session."""
    usage = Usage(
        input_tokens=10 + 100 + cache_read,
        output_tokens=100,
        cache_write_tokens=100,
        cache_read_tokens=cache_read,
    )
    when = at(6, 15)
    return float(
        calc_price(usage, model, provider_id=provider, genai_request_timestamp=when).total_price
    )


def test_model_ids_are_matched_and_priced_as_the_library_prices_them(
    built: BuiltWarehouse,
) -> None:
    costs = {
        response_id: (provider, model, tier, cost)
        for response_id, provider, model, tier, cost in built.rows(
            "select response_id, price_provider_id, price_model_id, "
            "price_tier_input_tokens_above, cost_usd from marts.fct_token_usage "
            "where session_id = 'price-session'"
        )
    }
    sonnet = "claude-sonnet-4-5-20250929"
    # by hand from the library's table: Sonnet 4.5 is $3 / $15 / $3.75 / $0.30 per MTok,
    # Bedrock's regional endpoints 10% more, and $6 / $22.5 / $7.5 / $0.60 past 200k input
    base = (10 * 3 + 100 * 15 + 100 * 3.75 + 1_000 * 0.3) / 1e6
    bedrock = (10 * 3.3 + 100 * 16.5 + 100 * 4.125 + 1_000 * 0.33) / 1e6
    long_context = (10 * 6 + 100 * 22.5 + 100 * 7.5 + 250_000 * 0.6) / 1e6
    local = (10 * 2 + 100 * 10 + 100 * 2.5 + 1_000 * 0.2) / 1e6
    expected = {
        "msg_P1:req_msg_P1": ("anthropic", "claude-sonnet-4-5", 0, base),
        "msg_P2:req_msg_P2": (
            "aws",
            "regional.anthropic.claude-sonnet-4-5-20250929-v1:0",
            0,
            bedrock,
        ),
        "msg_P3:req_msg_P3": ("anthropic", "claude-sonnet-4-5", 200_000, long_context),
        "msg_P4:req_msg_P4": ("local", LOCAL_MODEL, 0, local),
    }
    assert {k: v[:3] for k, v in costs.items()} == {k: v[:3] for k, v in expected.items()}
    for key, (*_, cost) in expected.items():
        assert costs[key][3] == pytest.approx(cost, rel=1e-12)
    # the same figures from the library's calculator
    assert costs["msg_P1:req_msg_P1"][3] == pytest.approx(
        _library_cost(f"anthropic/{sonnet}", "litellm", 1_000)
    )
    assert costs["msg_P2:req_msg_P2"][3] == pytest.approx(
        _library_cost(f"us.anthropic.{sonnet}-v1:0", "aws", 1_000)
    )
    assert costs["msg_P3:req_msg_P3"][3] == pytest.approx(_library_cost(sonnet, None, 250_000))
    matched = dict(built.rows("select model_id, matched_by from reference.model_matches"))
    assert matched[LOCAL_MODEL] == "override" and matched[UNPRICED_MODEL] is None


def test_lines_of_created_files_and_notebook_cells(built: BuiltWarehouse) -> None:
    assert built.rows(
        "select tool_use_id, operation, lines_added, lines_removed from marts.fct_file_operations "
        "where session_id = 'stream-session' order by tool_use_id"
    ) == [("toolu_cell", "edit", 2, 0), ("toolu_create", "create", 3, 0)]


def test_the_marts_agree_with_the_independent_recounts(
    built: BuiltWarehouse, transcripts: Path
) -> None:
    expected = golden.compute(transcripts)
    # A, B, U (streamed); C, D, E (resumed); F, G, I, H (subagents, H echoed only); P1-P4
    assert len(expected.responses) == 14
    assert built.value("select sum(total_tokens) from marts.fct_token_usage") == sum(
        r.total for r in expected.responses
    )
    reconciliation = built.check_results()["token_totals_match_raw"]
    assert reconciliation.passed
    assert reconciliation.metadata["raw_responses"].value == 14
    lines = built.rows("select sum(lines_added), sum(lines_removed) from marts.fct_file_operations")
    assert lines == [(expected.lines_added, expected.lines_removed)]


def test_an_hourly_run_rebuilds_only_its_days_and_a_full_refresh_all(
    own_built: BuiltWarehouse,
) -> None:
    """Changes the warehouse, so it builds its own (any order, alone or with the others)."""
    built = own_built
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
    assert built.value("select count(*) from marts.fct_token_usage") == 15

    run_window(built.home, built.logs_dir, day, day + timedelta(days=0), full_refresh=True)
    assert built.value("select count(*) from marts.fct_token_usage where cost_usd = -1") == 0
    assert built.value("select count(*) from marts.fct_token_usage") == 15
