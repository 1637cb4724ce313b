"""Expected analytics computed in plain Python straight from the JSONL files.

This is a second, independent implementation of the rules the dbt models apply (dedupe of
streamed, resumed, replayed and echoed entries; sessions; tool calls; lines changed),
written without SQL so the tests compare two ways of getting each number rather than a
query with itself. Costs come from the price library's own calculator (`calc_price`), one
response at a time, not from the price table the marts use.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from genai_prices import Usage, calc_price

IDLE_GAP_SECONDS = 30 * 60
FAR = datetime.max.replace(tzinfo=UTC)
FILE_TOOLS = {"Read", "Write", "Edit", "MultiEdit", "NotebookEdit", "NotebookRead"}


@dataclass(frozen=True)
class Line:
    source_file: str
    line_number: int
    entry: dict[str, Any]

    @property
    def at(self) -> datetime | None:
        text = self.entry.get("timestamp")
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None

    @property
    def sidechain(self) -> bool:
        return bool(self.entry.get("isSidechain"))


@dataclass
class Response:
    line: Line
    model: str
    day: date
    tokens: tuple[int, int, int, int]  # input, output, cache write, cache read
    cache_1h: int
    is_echo: bool = False

    @property
    def total(self) -> int:
        return sum(self.tokens)

    @property
    def subagent(self) -> bool:
        return self.line.sidechain or self.is_echo

    @property
    def priced(self) -> float | None:
        """The library's price of this one request at its time; None for an unknown model.
        The library's input_tokens is everything sent (uncached, written, read)."""
        inp, out, write, read = self.tokens
        usage = Usage(
            input_tokens=inp + write + read,
            output_tokens=out,
            cache_write_tokens=write,
            cache_read_tokens=read,
            cache_write_1h_tokens=self.cache_1h,
        )
        try:
            return float(
                calc_price(usage, self.model, genai_request_timestamp=self.line.at).total_price
            )
        except LookupError:
            return None

    @property
    def cost(self) -> float:
        return self.priced or 0.0

    @property
    def unpriced_tokens(self) -> int:
        return self.total if self.priced is None else 0


@dataclass
class Session:
    start: datetime
    end: datetime
    active_seconds: float
    responses: int = 0
    tool_calls: int = 0


@dataclass
class Expected:
    responses: list[Response] = field(default_factory=list)
    sessions: dict[str, Session] = field(default_factory=dict)
    tool_calls: dict[str, int] = field(default_factory=dict)
    tool_errors: dict[str, int] = field(default_factory=dict)
    lines_added: int = 0
    lines_removed: int = 0

    def tokens_by_day_and_model(self) -> dict[tuple[date, str], tuple[int, int, int, int]]:
        sums: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for response in self.responses:
            cell = sums[(response.day, response.model)]
            for index, value in enumerate(response.tokens):
                cell[index] += value
        return {key: (v[0], v[1], v[2], v[3]) for key, v in sums.items()}

    def cost(self) -> float:
        return sum(response.cost for response in self.responses)

    def cost_by_model(self) -> dict[str, float]:
        sums: dict[str, float] = defaultdict(float)
        for response in self.responses:
            sums[response.model] += response.cost
        return dict(sums)


def read_lines(root: Path) -> list[Line]:
    lines = []
    for path in sorted(root.rglob("*.jsonl")):
        relative = path.relative_to(root).as_posix()
        for number, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            if raw.strip():
                lines.append(Line(relative, number, json.loads(raw)))
    return lines


def _session_ends(lines: list[Line]) -> dict[str, datetime]:
    ends: dict[str, datetime] = {}
    for line in lines:
        session, at = line.entry.get("sessionId"), line.at
        if session and at and (session not in ends or at > ends[session]):
            ends[session] = at
    return ends


def compute(root: Path) -> Expected:
    lines = read_lines(root)
    ends = _session_ends(lines)

    def preference(line: Line) -> tuple[Any, ...]:
        session = line.entry.get("sessionId")
        return (line.sidechain, ends.get(session, FAR), line.source_file, line.line_number)

    # One original per uuid: main chain first, then the session that ended first.
    originals: dict[str, Line] = {}
    unique: list[Line] = []
    for line in lines:
        uid = line.entry.get("uuid")
        if uid is None:
            unique.append(line)
        elif uid not in originals or preference(line) < preference(originals[uid]):
            originals[uid] = line
    unique += originals.values()

    expected = Expected()
    # API responses: (message.id, requestId), the copy with the most tokens; at equal
    # totals the main chain's, then a subagent file's before its agent_progress echo.
    best: dict[str, Response] = {}
    for line in lines:
        found = _response(line)
        if found is None:
            continue
        message, request_id, is_echo = found
        usage = message.get("usage") or {}
        tokens = (
            usage.get("input_tokens") or 0,
            usage.get("output_tokens") or 0,
            usage.get("cache_creation_input_tokens") or 0,
            usage.get("cache_read_input_tokens") or 0,
        )
        split = usage.get("cache_creation") or {}
        assert line.at is not None
        candidate = Response(
            line,
            message.get("model"),
            line.at.date(),
            tokens,
            split.get("ephemeral_1h_input_tokens") or 0,
            is_echo,
        )
        key = f"{message['id']}:{request_id or ''}"
        current = best.get(key)
        if current is None or _rank(candidate, preference) < _rank(current, preference):
            best[key] = candidate
    expected.responses = list(best.values())

    # Sessions: their unique timed entries; active time leaves out gaps over 30 minutes.
    times: dict[str, list[datetime]] = defaultdict(list)
    for line in unique:
        if line.entry.get("sessionId") and line.at:
            times[line.entry["sessionId"]].append(line.at)
    for session, stamps in times.items():
        stamps.sort()
        gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:], strict=False)]
        active = sum(g for g in gaps if g <= IDLE_GAP_SECONDS)
        expected.sessions[session] = Session(stamps[0], stamps[-1], active)
    for response in expected.responses:
        expected.sessions[response.line.entry["sessionId"]].responses += 1

    # Tool calls and their results, from the unique entries.
    calls: dict[str, tuple[str, str]] = {}
    results: dict[str, tuple[bool, Any]] = {}
    for line in sorted(unique, key=lambda item: (item.sidechain, item.at or FAR)):
        content = (line.entry.get("message") or {}).get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            if block.get("type") == "tool_use" and block["id"] not in calls:
                calls[block["id"]] = (block["name"], line.entry["sessionId"])
            if block.get("type") == "tool_result" and block["tool_use_id"] not in results:
                results[block["tool_use_id"]] = (
                    bool(block.get("is_error")),
                    line.entry.get("toolUseResult"),
                )
    for tool_id, (name, session) in calls.items():
        expected.tool_calls[name] = expected.tool_calls.get(name, 0) + 1
        expected.sessions[session].tool_calls += 1
        failed, payload = results.get(tool_id, (False, None))
        expected.tool_errors[name] = expected.tool_errors.get(name, 0) + int(failed)
        if name in FILE_TOOLS and isinstance(payload, dict):
            added, removed = lines_changed(name, payload)
            expected.lines_added += added
            expected.lines_removed += removed
    return expected


def _response(line: Line) -> tuple[dict[str, Any], str | None, bool] | None:
    """(message, request id, is an echo) of an entry that carries an API response."""
    entry = line.entry
    if entry.get("type") == "assistant":
        message = entry.get("message") or {}
        return (message, entry.get("requestId"), False) if message.get("id") else None
    data = entry.get("data") or {}
    echoed = data.get("message") or {}
    if (
        entry.get("type") == "progress"
        and data.get("type") == "agent_progress"
        and echoed.get("type") == "assistant"
        and (echoed.get("message") or {}).get("id")
    ):
        return echoed["message"], echoed.get("requestId"), True
    return None


def _rank(response: Response, preference: Any) -> tuple[Any, ...]:
    return (-response.total, response.subagent, response.is_echo, *preference(response.line))


def _lines(text: str | None) -> int:
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def lines_changed(tool: str, result: dict[str, Any]) -> tuple[int, int]:
    """(added, removed) as Claude Code records an edit: patch hunks when there are any, a
    created file's content, a notebook cell's new source (its old source is not kept)."""
    hunks = [text for hunk in result.get("structuredPatch") or [] for text in hunk["lines"]]
    if hunks:
        return sum(t.startswith("+") for t in hunks), sum(t.startswith("-") for t in hunks)
    if tool == "Write" and result.get("type") == "create":
        return _lines(result.get("content")), 0
    editing = result.get("edit_mode", "replace") in ("insert", "replace")
    if tool == "NotebookEdit" and editing and not result.get("error"):
        return _lines(result.get("new_source")), 0
    return 0, 0


def usage_blocks(responses: list[Response]) -> dict[datetime, int]:
    """Tokens per 5-hour block: a block opens at the hour of the first response not yet
    covered and covers 5 hours. API error notices are not usage."""
    timed = sorted(
        (r.line.at, r.total)
        for r in responses
        if r.line.at is not None and not r.line.entry.get("isApiErrorMessage")
    )
    blocks: dict[datetime, int] = {}
    start: datetime | None = None
    for at, total in timed:
        if start is None or at >= start + timedelta(hours=5):
            start = at.replace(minute=0, second=0, microsecond=0)
        blocks[start] = blocks.get(start, 0) + total
    return blocks
