"""Expected analytics computed in plain Python straight from the JSONL files.

This is a second, independent implementation of the rules the dbt models apply (dedupe of
streamed, resumed and replayed entries; sessions; tool calls; patches; prices), written
without SQL so the tests compare two ways of getting each number rather than a query with
itself.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

# Public prices, USD per million tokens: input, output, 5-minute cache write, 1-hour cache
# write, cache read. Written out here, not read from the seed, so a wrong seed fails a test.
PRICES: dict[str, tuple[float, float, float, float, float]] = {
    "claude-opus-4-1-20250805": (15.0, 75.0, 18.75, 30.0, 1.5),
    "claude-opus-4-5-20251101": (5.0, 25.0, 6.25, 10.0, 0.5),
    "claude-sonnet-4-20250514": (3.0, 15.0, 3.75, 6.0, 0.3),
    "claude-sonnet-4-5-20250929": (3.0, 15.0, 3.75, 6.0, 0.3),
    "claude-haiku-4-5-20251001": (1.0, 5.0, 1.25, 2.0, 0.1),
}
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

    @property
    def total(self) -> int:
        return sum(self.tokens)

    @property
    def cost(self) -> float:
        prices = PRICES.get(self.model)
        if prices is None:
            return 0.0
        inp, out, write, read = self.tokens
        return (
            inp * prices[0]
            + out * prices[1]
            + (write - self.cache_1h) * prices[2]
            + self.cache_1h * prices[3]
            + read * prices[4]
        ) / 1e6


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
    # API responses: (message.id, requestId), the copy with the most tokens.
    best: dict[str, Response] = {}
    for line in lines:
        entry = line.entry
        message = entry.get("message") or {}
        if entry.get("type") != "assistant" or not message.get("id"):
            continue
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
        )
        key = f"{message['id']}:{entry.get('requestId') or ''}"
        current = best.get(key)
        if current is None or (-candidate.total, *preference(line)) < (
            -current.total,
            *preference(current.line),
        ):
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
            for hunk in payload.get("structuredPatch") or []:
                for text in hunk.get("lines", []):
                    expected.lines_added += text.startswith("+")
                    expected.lines_removed += text.startswith("-")
    return expected


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
