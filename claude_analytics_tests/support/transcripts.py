"""Hand-made Claude Code transcripts for the dedupe cases, one entry at a time.

Each helper returns one JSONL entry shaped the way Claude Code writes it, so a test can
spell out a streamed response, a resumed session or a sidechain replay line by line.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

SONNET = "claude-sonnet-4-5-20250929"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _envelope(
    kind: str, uuid: str, session: str, at: datetime, cwd: str, sidechain: bool
) -> dict[str, Any]:
    return {
        "parentUuid": None,
        "isSidechain": sidechain,
        "userType": "external",
        "cwd": cwd,
        "sessionId": session,
        "version": "2.0.31",
        "gitBranch": "main",
        "type": kind,
        "uuid": uuid,
        "timestamp": stamp(at),
    }


def prompt(
    uuid: str,
    session: str,
    at: datetime,
    cwd: str,
    text: str = "Fix the bug",
    *,
    sidechain: bool = False,
) -> dict[str, Any]:
    entry = _envelope("user", uuid, session, at, cwd, sidechain)
    entry["message"] = {"role": "user", "content": text}
    return entry


def tool_result(
    uuid: str, session: str, at: datetime, cwd: str, tool_use_id: str, *, error: bool = False
) -> dict[str, Any]:
    entry = _envelope("user", uuid, session, at, cwd, False)
    entry["message"] = {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": tool_use_id, "content": "ok", "is_error": error}
        ],
    }
    entry["toolUseResult"] = {"stdout": "ok", "stderr": "", "interrupted": False}
    return entry


def assistant(
    uuid: str,
    session: str,
    at: datetime,
    cwd: str,
    *,
    message_id: str,
    request_id: str | None,
    output_tokens: int,
    block: dict[str, Any] | None = None,
    input_tokens: int = 10,
    cache_write: int = 100,
    cache_read: int = 1_000,
    model: str = SONNET,
    sidechain: bool = False,
) -> dict[str, Any]:
    """One entry of an API response; streamed responses repeat message id and request id."""
    entry = _envelope("assistant", uuid, session, at, cwd, sidechain)
    entry["message"] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [block or {"type": "text", "text": "Done."}],
        "stop_reason": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_write,
            "cache_read_input_tokens": cache_read,
        },
    }
    if request_id is not None:
        entry["requestId"] = request_id
    return entry


def agent_progress(
    uuid: str,
    session: str,
    at: datetime,
    cwd: str,
    echoed: dict[str, Any],
    *,
    agent_id: str,
    parent_tool_use_id: str,
) -> dict[str, Any]:
    """A subagent's entry echoed into the parent session, as Claude Code 2.1 writes it."""
    entry = _envelope("progress", uuid, session, at, cwd, False)
    message = {"type": echoed["type"], "message": echoed["message"]}
    if "requestId" in echoed:
        message["requestId"] = echoed["requestId"]
    message |= {"uuid": echoed["uuid"], "timestamp": echoed["timestamp"]}
    entry["data"] = {"type": "agent_progress", "agentId": agent_id, "message": message}
    entry["toolUseID"] = f"agent_msg_{uuid}"
    entry["parentToolUseID"] = parent_tool_use_id
    return entry


def write(root: Path, relative: str, entries: list[dict[str, Any]]) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")
