"""Expected team, attribution, cache, tool-error and anomaly figures, recounted in plain
Python from the JSONL files (and the sample's project-to-person map), without SQL.

It builds on `golden.compute` (the deduplicated responses, priced one by one with the price
library's own calculator) and writes the marts' rules a second time: the turn a response
belongs to, the even split of a response across its tool calls, the class of an error
text, a median over the days before. The tests compare the marts with these numbers.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from genai_prices import Usage, calc_price

from claude_analytics.core.identity import Identity
from claude_analytics_tests.support import golden
from claude_analytics_tests.support.golden import FAR, Line, Response

UNKNOWN = "(unknown)"
DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


def thresholds() -> dict[str, Any]:
    """The anomaly thresholds, as configured for dbt."""
    return yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))["vars"]


@dataclass
class Call:
    tool_use_id: str
    name: str
    session: str
    at: datetime
    response_key: str
    tool_input: dict[str, Any]
    failed: bool = False
    error_text: str | None = None
    result_text: str = ""


@dataclass
class Insights:
    responses: list[Response]
    user_of: dict[int, str] = field(default_factory=dict)  # id(response) -> user
    host_of: dict[int, str] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)
    agent_type_of: dict[int, str] = field(default_factory=dict)
    turn_of: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    skill_of: dict[int, str | None] = field(default_factory=dict)
    sessions: dict[str, golden.Session] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading
def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return ""


def _message_text(entry: dict[str, Any]) -> str | None:
    content = (entry.get("message") or {}).get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [b.get("text") for b in content if b.get("type") == "text"]
        return "\n".join(t for t in texts if t is not None) if texts else None
    return None


def _unique(lines: list[Line]) -> list[Line]:
    """One line per uuid (main chain first, then the session that ended first), as
    golden.compute picks the originals; lines without a uuid are all kept."""
    ends: dict[str, datetime] = {}
    for line in lines:
        session, at = line.entry.get("sessionId"), line.at
        if session and at and (session not in ends or at > ends[session]):
            ends[session] = at

    def preference(line: Line) -> tuple[Any, ...]:
        session = line.entry.get("sessionId")
        return (line.sidechain, ends.get(session, FAR), line.source_file, line.line_number)

    originals: dict[str, Line] = {}
    unique = []
    for line in lines:
        uid = line.entry.get("uuid")
        if uid is None:
            unique.append(line)
        elif uid not in originals or preference(line) < preference(originals[uid]):
            originals[uid] = line
    return unique + list(originals.values())


def compute(root: Path, identities: dict[str, Identity]) -> Insights:
    """`identities`: project folder -> who and where (a project not in it: unknown)."""
    expected = golden.compute(root)
    lines = golden.read_lines(root)
    unique = _unique(lines)
    found = Insights(responses=expected.responses, sessions=expected.sessions)

    for response in found.responses:
        who = identities.get(response.line.source_file.split("/", 1)[0], Identity(None, None))
        found.user_of[id(response)] = who.user_id or UNKNOWN
        found.host_of[id(response)] = who.hostname or UNKNOWN

    # tool calls: the first main-chain copy of each call, its result likewise
    results: dict[str, tuple[bool, str | None, str]] = {}
    for line in sorted(unique, key=lambda item: (item.sidechain, item.at or FAR)):
        message = line.entry.get("message") or {}
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            if block.get("type") == "tool_use" and block["id"] not in found.calls:
                key = f"{message.get('id')}:{line.entry.get('requestId') or ''}"
                found.calls[block["id"]] = Call(
                    block["id"],
                    block["name"],
                    line.entry["sessionId"],
                    line.at or FAR,
                    key,
                    block.get("input") or {},
                )
            if block.get("type") == "tool_result" and block["tool_use_id"] not in results:
                text = _content_text(block.get("content"))
                payload = line.entry.get("toolUseResult")
                if not text and isinstance(payload, str):
                    text = payload
                results[block["tool_use_id"]] = (bool(block.get("is_error")), text, text)
    for tool_id, call in found.calls.items():
        failed, text, result_text = results.get(tool_id, (False, None, ""))
        call.failed, call.error_text, call.result_text = failed, text, result_text or ""

    # subagents: the Task call an agent's echoes name, else the Task result naming the agent
    task_of_agent: dict[str, str] = {}
    for line in lines:
        data = line.entry.get("data") or {}
        if line.entry.get("type") == "progress" and data.get("type") == "agent_progress":
            task_of_agent.setdefault(data["agentId"], line.entry["parentToolUseID"])
    for line in unique:
        payload = line.entry.get("toolUseResult")
        content = (line.entry.get("message") or {}).get("content")
        if isinstance(payload, dict) and payload.get("agentId") and isinstance(content, list):
            for block in content:
                if block.get("type") == "tool_result":
                    task_of_agent.setdefault(payload["agentId"], block["tool_use_id"])
    for response in found.responses:
        if not response.subagent:
            found.agent_type_of[id(response)] = "main"
            continue
        entry = response.line.entry
        agent = entry.get("agentId") or (entry.get("data") or {}).get("agentId")
        call = found.calls.get(task_of_agent.get(agent, ""))
        kind = call.tool_input.get("subagent_type") if call else None
        found.agent_type_of[id(response)] = kind or "(unknown type)"

    _turns(found, unique)
    return found


def _kind(line: Line) -> str | None:
    """prompt or slash_command for a person's main-chain entry, None for anything else."""
    entry = line.entry
    if entry.get("type") != "user" or line.sidechain:
        return None
    content = (entry.get("message") or {}).get("content")
    if isinstance(content, list) and any(b.get("type") == "tool_result" for b in content):
        return None
    text = _message_text(entry)
    if text is not None and text.startswith("[Request interrupted by user"):
        return None
    if text is not None and "<command-name>" in text:
        return "slash_command"
    if entry.get("isMeta"):
        return None
    return "prompt"


def _turns(found: Insights, unique: list[Line]) -> None:
    openers: dict[str, list[tuple[datetime, str | None]]] = defaultdict(list)
    for line in unique:
        kind = _kind(line)
        if kind and line.entry.get("sessionId") and line.at:
            command = None
            if kind == "slash_command":
                match = re.search(
                    r"<command-name>([^<]*)</command-name>", _message_text(line.entry) or ""
                )
                command = match.group(1) if match else None
            openers[line.entry["sessionId"]].append(
                (line.at, command if kind == "slash_command" else None)
            )
    skills: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for call in found.calls.values():
        if call.name == "Skill":
            name = call.tool_input.get("skill") or call.tool_input.get("command")
            skills[call.session].append((call.at, name))
    for response in found.responses:
        session, at = response.line.entry["sessionId"], response.line.at
        assert at is not None
        started = [o for o in openers.get(session, []) if o[0] <= at]
        turn = max(started, key=lambda o: o[0]) if started else None
        found.turn_of[id(response)] = (
            ("slash_command", turn[1])
            if turn and turn[1]
            else ("prompt", None)
            if turn
            else (None, None)
        )
        turn_start = turn[0] if turn else None
        invoked = [s for s in skills.get(session, []) if s[0] <= at]
        latest = max(invoked, key=lambda s: s[0]) if invoked else None
        in_turn = latest is not None and (turn_start is None or latest[0] >= turn_start)
        found.skill_of[id(response)] = latest[1] if in_turn and latest else None


# --------------------------------------------------------------------------- figures
def by_user(found: Insights) -> dict[str, tuple[int, int, float]]:
    """user -> (responses, tokens, cost)."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for response in found.responses:
        cell = sums[found.user_of[id(response)]]
        cell[0] += 1
        cell[1] += response.total
        cell[2] += response.cost
    return {user: (int(v[0]), int(v[1]), v[2]) for user, v in sums.items()}


def by_agent(found: Insights) -> dict[str, tuple[int, float]]:
    """agent type -> (responses, cost)."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for response in found.responses:
        cell = sums[found.agent_type_of[id(response)]]
        cell[0] += 1
        cell[1] += response.cost
    return {agent: (int(v[0]), v[1]) for agent, v in sums.items()}


def by_tool(found: Insights) -> dict[str, tuple[int, int, float]]:
    """tool -> (calls, errors, attributed cost); '(no tool call)' for the other responses."""
    calls_of: dict[str, list[Call]] = defaultdict(list)
    for call in found.calls.values():
        calls_of[call.response_key].append(call)
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for call in found.calls.values():
        cell = sums[call.name]
        cell[0] += 1
        cell[1] += int(call.failed)
    for response in found.responses:
        entry = response.line.entry
        message = entry.get("message") or {}
        if entry.get("type") == "progress":
            message = entry["data"]["message"]["message"]
            request = entry["data"]["message"].get("requestId")
        else:
            request = entry.get("requestId")
        calls = calls_of.get(f"{message['id']}:{request or ''}", [])
        if not calls:
            sums["(no tool call)"][2] += response.cost
        for call in calls:
            sums[call.name][2] += response.cost / len(calls)
    return {name: (int(v[0]), int(v[1]), v[2]) for name, v in sums.items()}


def by_command(found: Insights) -> dict[tuple[str, str], tuple[int, float]]:
    """(slash_command | skill, name) -> (responses, cost)."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for response in found.responses:
        kind, command = found.turn_of[id(response)]
        if kind == "slash_command" and command:
            cell = sums[("slash_command", command)]
            cell[0] += 1
            cell[1] += response.cost
        skill = found.skill_of[id(response)]
        if skill:
            cell = sums[("skill", skill)]
            cell[0] += 1
            cell[1] += response.cost
    return {key: (int(v[0]), v[1]) for key, v in sums.items()}


@dataclass
class Cache:
    input_side: int = 0
    reads: int = 0
    writes: int = 0
    writes_1h: int = 0
    input_cost: float = 0.0
    list_price: float = 0.0


def by_model_cache(found: Insights) -> dict[str, Cache]:
    return cache_by(found, lambda response: response.model)


def cache_by(found: Insights, key: Callable[[Response], Any]) -> dict[Any, Cache]:
    """The cache per `key` of a response: the library prices what was sent, and what it
    would have cost with every input-side token at the base input price (no cache fields)."""
    cells: dict[Any, Cache] = defaultdict(Cache)
    for response in found.responses:
        inp, _, write, read = response.tokens
        cell = cells[key(response)]
        cell.input_side += inp + write + read
        cell.reads += read
        cell.writes += write
        cell.writes_1h += response.cache_1h
        if response.priced is None or inp + write + read == 0:
            continue
        at = response.line.at
        actual = calc_price(
            Usage(
                input_tokens=inp + write + read,
                output_tokens=0,
                cache_write_tokens=write,
                cache_read_tokens=read,
                cache_write_1h_tokens=response.cache_1h,
            ),
            response.model,
            genai_request_timestamp=at,
        )
        listed = calc_price(
            Usage(input_tokens=inp + write + read, output_tokens=0),
            response.model,
            genai_request_timestamp=at,
        )
        cell.input_cost += float(actual.input_price)
        cell.list_price += float(listed.input_price)
    return dict(cells)


# --------------------------------------------------------------------------- errors
def error_class(text: str) -> str:
    """The documented classes, first match wins (written apart from the dbt macro)."""
    lowered = text.lower()
    if (
        lowered.startswith("the user doesn't want to proceed")
        or "[request interrupted by user" in lowered
        or lowered.startswith("user rejected")
    ):
        return "user_rejected"
    if re.match(r"\s*exit code \d+", lowered):
        return "command_failed"
    if "string to replace not found" in lowered or "matches of the string to replace" in lowered:
        return "edit_target_not_found"
    if re.search(r"permission to use .* has been denied", lowered) or any(
        needle in lowered
        for needle in (
            "requested permissions to ",
            "permission denied",
            "operation not permitted",
            "eacces",
            "sandbox",
        )
    ):
        return "permission_denied"
    if "timed out" in lowered or "timeout" in lowered:
        return "timeout"
    if any(
        needle in lowered
        for needle in (
            "file does not exist",
            "no such file or directory",
            "enoent",
            "path does not exist",
        )
    ):
        return "file_not_found"
    return "other"


def error_pattern(text: str) -> str:
    first = text.strip().split("\n", 1)[0]
    first = re.sub(r"'[^']*'|\"[^\"]*\"", "…", first)
    first = re.sub(r"(~|\.{1,2})?(/[^\s/:]+)+/?", "<path>", first)
    first = re.sub(r"[0-9]+", "N", first)
    return first[:120]


def errors(found: Insights) -> dict[tuple[str, str], int]:
    """(class, pattern) -> failed calls."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for call in found.calls.values():
        if not call.failed:
            continue
        text = re.sub(r"</?tool_use_error>", "", call.error_text or "")
        counts[(error_class(text), error_pattern(text))] += 1
    return dict(counts)


# --------------------------------------------------------------------------- anomalies
def cost_spikes(found: Insights) -> dict[date, bool]:
    """Each day with responses: is it a spike against the median of the days before?"""
    limits = thresholds()
    days: dict[date, float] = defaultdict(float)
    for response in found.responses:
        days[response.day] += response.cost
    ordered = sorted(days)
    verdicts = {}
    for index, day in enumerate(ordered):
        before = [days[d] for d in ordered[max(0, index - limits["anomaly_trailing_days"]) : index]]
        median = statistics.median(before) if before else None
        verdicts[day] = bool(
            median is not None
            and len(before) >= limits["anomaly_min_trailing_days"]
            and days[day] >= limits["anomaly_cost_spike_factor"] * median
            and days[day] - median >= limits["anomaly_cost_spike_min_usd"]
        )
    return verdicts


def runaway_sessions(found: Insights) -> dict[str, tuple[bool, bool]]:
    """session -> (runs away on cost per active hour, on tool-error rate)."""
    limits = thresholds()
    cost: dict[str, float] = defaultdict(float)
    for response in found.responses:
        cost[response.line.entry["sessionId"]] += response.cost
    calls: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for call in found.calls.values():
        calls[call.session][0] += 1
        calls[call.session][1] += int(call.failed)
    rates = {
        session: cost[session] / (s.active_seconds / 3600)
        for session, s in found.sessions.items()
        if s.active_seconds >= limits["anomaly_session_min_active_minutes"] * 60
    }
    median = statistics.median(rates.values())
    overall = sum(v[1] for v in calls.values()) / sum(v[0] for v in calls.values())
    verdicts = {}
    for session in found.sessions:
        made, failed = calls.get(session, [0, 0])
        rate = rates.get(session)
        verdicts[session] = (
            rate is not None
            and rate >= limits["anomaly_session_cost_factor"] * median
            and cost[session] >= limits["anomaly_session_min_cost_usd"],
            made >= limits["anomaly_session_min_tool_calls"]
            and failed / made
            >= max(
                limits["anomaly_session_error_rate"],
                limits["anomaly_session_error_factor"] * overall,
            ),
        )
    return verdicts


def api_error_hours(found: Insights) -> dict[datetime, tuple[int, int, bool]]:
    """UTC hour -> (responses, API errors, is a burst), for hours with an API error."""
    limits = thresholds()
    hours: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
    for response in found.responses:
        at = response.line.at
        assert at is not None
        cell = hours[at.replace(minute=0, second=0, microsecond=0)]
        cell[0] += 1
        cell[1] += int(bool(response.line.entry.get("isApiErrorMessage")))
    return {
        hour: (
            n,
            errs,
            errs >= limits["anomaly_api_error_burst"]
            and errs / n >= limits["anomaly_api_error_share"],
        )
        for hour, (n, errs) in hours.items()
        if errs
    }
