"""Deterministic generator of realistic Claude Code transcripts.

The generator writes the same on-disk layout Claude Code uses
(`<root>/<project-slug>/<session-id>.jsonl`, subagents under
`<session-id>/subagents/agent-<id>.jsonl`) and reproduces the quirks that make analytics
hard: one assistant message split into one entry per content block with repeated usage,
resumed sessions that copy history into a new file, sidechains, subagent responses echoed
into the parent session as `agent_progress` entries (with and without the subagent's own
file), queued prompts, files created with Write, notebook edits, interruptions, API errors,
entry types with no timestamp, requests past a 200k-token context, and histories spread
over months with gaps. It also holds what the team views and the anomaly checks look for:
projects that belong to a few people on their machines (`TEAM`), MCP servers, skills and
slash commands, tool errors of every class, a day that costs far more than the days
before it, a session that runs away and a burst of API errors. The same seed always
yields byte-identical files, so tests can compare numbers against a fixed data set and
benchmarks scale without drift.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from claude_analytics.core.identity import Identity

DEFAULT_SEED = 42
DEFAULT_START = date(2026, 11, 1)
DEFAULT_DAYS = 14

PROJECTS = (
    "/home/dev/src/api-server",
    "/home/dev/src/web-dashboard",
    "/home/dev/src/data_pipeline",
    "/home/dev/work/mobile.app",
    "/home/dev/src/infra-terraform",
    "/home/dev/oss/claude-analytics",
)
# Who works on which project, on which machine: the sample stands for a team's synced
# collection. The last project was synced before syncs stamped identities: no one known.
TEAM: dict[str, tuple[str | None, str | None]] = {
    "/home/dev/src/api-server": ("alice", "alice-mbp"),
    "/home/dev/src/web-dashboard": ("bob", "bob-thinkpad"),
    "/home/dev/src/data_pipeline": ("carol", "carol-workstation"),
    "/home/dev/work/mobile.app": ("alice", "alice-imac"),
    "/home/dev/src/infra-terraform": ("carol", "ci-runner-01"),
    "/home/dev/oss/claude-analytics": (None, None),
}
BRANCHES = ("main", "main", "feature/auth", "fix/flaky-tests", "refactor/db-layer", "")
# 2.1 versions write the newer shapes: agent_progress echoes, queue operations, bash
# progress, turn durations, permissionMode and sourceToolAssistantUUID.
VERSIONS = ("1.0.98", "1.0.110", "2.0.14", "2.0.31", "2.1.6", "2.1.31")
# (model, weight, first day it can be used): a session picks among the models released by
# its day, so a long history moves from older models to the current ones.
MODELS = (
    ("claude-sonnet-4-5-20250929", 0.2, date(2025, 9, 29)),
    ("claude-opus-4-1-20250805", 0.05, date(2025, 8, 5)),
    ("claude-opus-4-5-20251101", 0.1, date(2025, 11, 24)),
    ("claude-sonnet-4-20250514", 0.05, date(2025, 5, 22)),
    ("claude-haiku-4-5-20251001", 0.05, date(2025, 10, 15)),
    ("claude-opus-4-6", 0.25, date(2026, 2, 5)),
    ("claude-sonnet-4-6", 0.2, date(2026, 2, 17)),
    ("claude-opus-4-7", 0.1, date(2026, 4, 16)),
)
SUBAGENT_MODEL = "claude-haiku-4-5-20251001"
SUBAGENT_TYPES = ("general-purpose", "Explore", "Plan")
PERMISSION_MODES = ("default", "default", "acceptEdits", "plan")
# Every so many sessions starts with a large context (a long task on a 1M-token model):
# its requests cross the 200k-token context tier.
LONG_CONTEXT_EVERY = 5
LONG_CONTEXT_MODELS = ("claude-sonnet-4-5-20250929", "claude-sonnet-4-6", "claude-opus-4-6")
# Share of subagent runs whose own file is missing (synced or copied histories): only the
# echoes in the parent session record their usage.
MISSING_SUBAGENT_FILE_SHARE = 0.35
# The anomalies every sample holds: the sessions with these numbers run away (a stuck agent
# retrying a failing command over a huge context) or hit an API outage (a burst of retry
# errors), and the last active day gets several times the sessions of the days before it.
RUNAWAY_SESSION = 3
RUNAWAY_TOOLS = ("Bash", "Read", "Edit", "Bash", "Bash", "Bash", "Read", "Bash", "Bash",
                 "Edit", "Bash", "Bash", "Read", "Bash")  # fmt: skip
RUNAWAY_CONTEXT_TOKENS = (800_000, 950_000)
OUTAGE_SESSION = 4
OUTAGE_ERRORS = 10
SPIKE_WEIGHT = 10
SPIKE_AFTER_DAYS = 3
MCP_TOOLS = (
    "mcp__github__create_pull_request",
    "mcp__github__list_issues",
    "mcp__context7__get-library-docs",
    "mcp__postgres__query",
)
TOOL_WEIGHTS = (
    ("Read", 22),
    ("Bash", 20),
    ("Edit", 16),
    ("Grep", 9),
    ("Glob", 6),
    ("Write", 6),
    ("MultiEdit", 5),
    ("NotebookEdit", 2),
    ("TodoWrite", 6),
    ("Task", 5),
    ("WebFetch", 3),
    ("mcp", 4),
    ("Skill", 2),
)
SKILLS = ("commit", "pdf", "frontend-design")
WORDS = (
    "the",
    "function",
    "returns",
    "a",
    "list",
    "of",
    "rows",
    "from",
    "the",
    "database",
    "and",
    "the",
    "test",
    "checks",
    "that",
    "each",
    "value",
    "matches",
    "what",
    "we",
    "expect",
    "after",
    "the",
    "migration",
    "so",
    "we",
    "update",
    "the",
    "handler",
    "to",
    "parse",
    "the",
    "response",
    "validate",
    "the",
    "schema",
    "retry",
    "on",
    "timeout",
    "and",
    "log",
    "the",
    "error",
    "with",
    "context",
    "before",
    "raising",
    "it",
    "to",
    "the",
    "caller",
    "which",
    "keeps",
    "the",
    "api",
    "stable",
    "for",
    "clients",
)
EXTENSIONS = (".py", ".ts", ".tsx", ".sql", ".md", ".yaml", ".go", ".json")
PROMPTS = (
    "Fix the failing test in the auth module",
    "Add pagination to the users endpoint",
    "Refactor the database layer to use a connection pool",
    "Why does the build fail on CI?",
    "Write unit tests for the parser",
    "Explain how the caching works here",
    "Update the README with the new setup steps",
    "Add a retry with backoff to the HTTP client",
)
SLASH_COMMANDS = ("/review", "/init", "/compact", "/clear", "/cost")
# Share of tool calls whose result is an error (besides interruptions).
ERROR_CHANCE = 0.09
# Error texts as Claude Code writes them, per tool, covering every class that
# fct_tool_errors tells apart; `{path}`, `{n}`, `{code}`, `{word}` and `{words}` vary.
NOT_READ = (
    "<tool_use_error>File has not been read yet. Read it first before writing to it."
    "</tool_use_error>"
)
TOOL_ERRORS: dict[str, tuple[str, ...]] = {
    "Read": (
        "<tool_use_error>File does not exist.</tool_use_error>",
        "ENOENT: no such file or directory, open '{path}'",
        "File content ({n} tokens) exceeds maximum allowed tokens (25000). Use offset and "
        "limit parameters to read specific portions of the file, or search for specific "
        "content instead of reading the whole file.",
    ),
    "Edit": (
        "<tool_use_error>String to replace not found in file.\nString: {words}</tool_use_error>",
        "<tool_use_error>Found {n} matches of the string to replace, but replace_all is "
        "false. To replace all occurrences, set replace_all to true.</tool_use_error>",
        NOT_READ,
    ),
    "Write": (
        NOT_READ,
        "Permission to use Write has been denied. IMPORTANT: You *may* attempt to accomplish "
        "this action using other tools that might naturally be used to accomplish this goal.",
    ),
    "Bash": (
        "Exit code 1\nFAILED tests/test_{word}.py - AssertionError",
        "Exit code {code}\nmake: *** [build] Error {code}",
        "Command timed out after 2m 0.0s",
        "Permission to use Bash with command rm -rf build has been denied.",
        "Error: sandbox denied network access to registry.npmjs.org",
    ),
    "WebFetch": ("Error: Request timed out after 60000ms",),
    "mcp": (
        'MCP error -32001: Request timed out calling "{words}"',
        "MCP error -32603: Internal error: {words}",
    ),
    "other": ("<tool_use_error>InputValidationError: {words}</tool_use_error>",),
}
INTERRUPTED_TOOL = (
    "The user doesn't want to proceed with this tool use. The tool use was rejected "
    "(eg. if it was a file edit, the new_string was NOT written to the file). STOP what you "
    "are doing and wait for the user to tell you how to proceed."
)


@dataclass(frozen=True)
class SampleSpec:
    """What to generate: exactly `entries` lines, spread over `days` days from `start`;
    with `active_days`, sessions start on only that many of those days (a sparse history:
    a few busy days, then weeks without any)."""

    entries: int = 2_000
    seed: int = DEFAULT_SEED
    start: date = DEFAULT_START
    days: int = DEFAULT_DAYS
    active_days: int | None = None


@dataclass
class GenerationSummary:
    entries: int = 0
    files: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def project_slug(cwd: str) -> str:
    """Claude Code names a project folder after its path with separators replaced by '-'."""
    return "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in cwd)


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Writer:
    """Buffers lines per file and stops exactly at the requested entry count."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.files: dict[str, list[str]] = {}
        self.last_time: dict[str, datetime] = {}
        self.count = 0
        self.by_type: dict[str, int] = {}
        # errors written per tool kind: texts are taken in turn (_Session._error_text)
        self.error_turns: dict[str, int] = {}

    @property
    def full(self) -> bool:
        return self.count >= self.limit

    def write(self, path: str, entry: dict[str, Any], moment: datetime) -> None:
        if self.full:
            return
        self.files.setdefault(path, []).append(
            json.dumps(entry, separators=(",", ":"), ensure_ascii=False)
        )
        self.last_time[path] = max(moment, self.last_time.get(path, moment))
        self.count += 1
        kind = str(entry.get("type"))
        self.by_type[kind] = self.by_type.get(kind, 0) + 1


class _Session:
    """One conversation: emits entries through the writer while advancing its own clock."""

    def __init__(
        self,
        rng: random.Random,
        writer: _Writer,
        cwd: str,
        start: datetime,
        session_id: str | None = None,
        long_context: bool = False,
    ) -> None:
        self.rng = rng
        self.writer = writer
        self.cwd = cwd
        self.slug = project_slug(cwd)
        self.session_id = session_id or self._uuid()
        self.path = f"{self.slug}/{self.session_id}.jsonl"
        self.clock = start
        self.branch = rng.choice(BRANCHES)
        self.version = rng.choice(VERSIONS)
        released = [
            (m, w)
            for m, w, day in MODELS
            if day <= start.date() and (m in LONG_CONTEXT_MODELS or not long_context)
        ] or [MODELS[0][:2]]
        self.model = rng.choices([m for m, _ in released], [w for _, w in released])[0]
        self.parent: str | None = None
        self.context_tokens = (
            rng.randint(190_000, 340_000) if long_context else rng.randint(8_000, 20_000)
        )
        self.history: list[tuple[dict[str, Any], datetime]] = []
        self.sidechain = False
        self.agent_id: str | None = None
        self.last_assistant_uuid: str | None = None
        # a subagent run: the parent session its turns are echoed into, the Task call they
        # report on, and whether its own file is written at all
        self.echo_into: _Session | None = None
        self.task_tool_id: str | None = None
        self.writes_own_file = True

    @property
    def modern(self) -> bool:
        """Claude Code 2.1 and later."""
        return self.version.startswith("2.1")

    # ---------------------------------------------------------------- identifiers
    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _token(self, prefix: str, length: int = 24) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
        return prefix + "".join(self.rng.choice(alphabet) for _ in range(length))

    def _words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def _advance(self, low: float, high: float) -> datetime:
        self.clock += timedelta(milliseconds=int(self.rng.uniform(low, high) * 1000))
        return self.clock

    # ---------------------------------------------------------------- emitting
    def _envelope(self, kind: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "parentUuid": self.parent,
            "isSidechain": self.sidechain,
            "userType": "external",
            "cwd": self.cwd,
            "sessionId": self.session_id,
            "version": self.version,
            "gitBranch": self.branch,
        }
        if self.agent_id:
            entry["agentId"] = self.agent_id
        entry["type"] = kind
        return entry

    def _emit(self, entry: dict[str, Any], moment: datetime, chain: bool = True) -> None:
        if "uuid" not in entry and entry.get("type") in ("user", "assistant", "system"):
            entry["uuid"] = self._uuid()
            entry["timestamp"] = _timestamp(moment)
        if chain and "uuid" in entry:
            self.parent = entry["uuid"]
        if self.writes_own_file:
            self.writer.write(self.path, entry, moment)
        self.history.append((entry, moment))
        if self.echo_into is not None and entry.get("type") in ("user", "assistant"):
            self.echo_into.agent_progress(self, entry, moment)

    def agent_progress(self, agent: _Session, entry: dict[str, Any], moment: datetime) -> None:
        """A subagent's turn echoed into this (its parent's) session, as Claude Code 2.1
        writes it: the whole message under `data.message`, the Task call in parentToolUseID."""
        echoed: dict[str, Any] = {"type": entry["type"], "message": entry["message"]}
        if "requestId" in entry:
            echoed["requestId"] = entry["requestId"]
        echoed["uuid"] = entry["uuid"]
        echoed["timestamp"] = entry["timestamp"]
        progress = self._envelope("progress")
        at = moment + timedelta(milliseconds=self.rng.randint(5, 400))
        progress.update(
            {
                "data": {
                    "type": "agent_progress",
                    "prompt": "",
                    "agentId": agent.agent_id,
                    "message": echoed,
                },
                "toolUseID": f"agent_msg_{self._token('', 20)}",
                "parentToolUseID": agent.task_tool_id,
                "uuid": self._uuid(),
                "timestamp": _timestamp(at),
            }
        )
        self.writer.write(self.path, progress, at)
        self.history.append((progress, at))

    def queue_operation(self) -> None:
        """A prompt typed while Claude was busy: queued, then taken off the queue."""
        text = self.rng.choice(PROMPTS)
        for operation in ("enqueue", "dequeue"):
            moment = self._advance(0.5, 20)
            entry: dict[str, Any] = {
                "type": "queue-operation",
                "operation": operation,
                "timestamp": _timestamp(moment),
                "sessionId": self.session_id,
            }
            if operation == "enqueue":
                entry["content"] = text
            self._emit(entry, moment, chain=False)

    def turn_duration(self, started: datetime) -> None:
        entry = self._envelope("system")
        entry.update(
            {
                "subtype": "turn_duration",
                "durationMs": int((self.clock - started).total_seconds() * 1000),
                "isMeta": False,
            }
        )
        self._emit(entry, self.clock, chain=False)

    def user_text(self, text: str, meta: bool = False) -> None:
        entry = self._envelope("user")
        entry["message"] = {"role": "user", "content": text}
        if meta:
            entry["isMeta"] = True
        if self.modern and not self.sidechain:
            entry["permissionMode"] = self.rng.choice(PERMISSION_MODES)
        self._emit(entry, self._advance(2, 90))

    def interruption(self, for_tool: bool) -> None:
        entry = self._envelope("user")
        suffix = " for tool use" if for_tool else ""
        entry["message"] = {
            "role": "user",
            "content": [{"type": "text", "text": f"[Request interrupted by user{suffix}]"}],
        }
        self._emit(entry, self._advance(1, 5))

    def assistant(self, blocks: list[dict[str, Any]], stop_reason: str) -> None:
        """One API response, written as one entry per content block with repeated usage."""
        model = SUBAGENT_MODEL if self.sidechain else self.model
        message_id = self._token("msg_01")
        request_id = self._token("req_011C")
        output_total = self.rng.randint(40, 1_800)
        cache_write = self.rng.randint(0, 4_000)
        one_hour = cache_write if self.rng.random() < 0.15 else 0
        usage_base = {
            "input_tokens": self.rng.randint(3, 60),
            "cache_creation_input_tokens": cache_write,
            "cache_read_input_tokens": self.context_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": cache_write - one_hour,
                "ephemeral_1h_input_tokens": one_hour,
            },
        }
        self.context_tokens += cache_write + output_total // 2
        for index, block in enumerate(blocks):
            last = index == len(blocks) - 1
            usage = dict(usage_base)
            usage["output_tokens"] = (
                output_total if last else max(1, output_total * index // len(blocks))
            )
            usage["service_tier"] = "standard"
            entry = self._envelope("assistant")
            entry["message"] = {
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [block],
                "stop_reason": stop_reason if last else None,
                "stop_sequence": None,
                "usage": usage,
            }
            entry["requestId"] = request_id
            self._emit(entry, self._advance(0.3, 12 if index == 0 else 3))
            self.last_assistant_uuid = entry["uuid"]

    def api_error(self) -> None:
        status = self.rng.choice((529, 500, 429))
        system = self._envelope("system")
        system.update(
            {
                "subtype": "api_error",
                "level": "error",
                "error": {"status": status, "error": {"type": "overloaded_error"}},
                "retryInMs": 1000 * self.rng.randint(1, 8),
                "retryAttempt": 1,
                "maxRetries": 10,
            }
        )
        self._emit(system, self._advance(1, 10))
        entry = self._envelope("assistant")
        entry["message"] = {
            "id": self._uuid(),
            "model": "<synthetic>",
            "role": "assistant",
            "type": "message",
            "content": [{"type": "text", "text": f"API Error: {status} overloaded"}],
            "stop_reason": "stop_sequence",
            "stop_sequence": "",
            "usage": {
                "input_tokens": 0,
                "output_tokens": 0,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        }
        entry["isApiErrorMessage"] = True
        self._emit(entry, self._advance(0.5, 2))

    def compact_boundary(self) -> None:
        entry = self._envelope("system")
        entry.update(
            {
                "subtype": "compact_boundary",
                "content": "Conversation compacted",
                "isMeta": False,
                "level": "info",
                "compactMetadata": {"trigger": "auto", "preTokens": self.context_tokens},
                "logicalParentUuid": self.parent,
            }
        )
        entry["parentUuid"] = None
        self.context_tokens = self.rng.randint(8_000, 14_000)
        self._emit(entry, self._advance(5, 40))

    def file_history_snapshot(self) -> None:
        moment = self.clock
        message_id = self._uuid()
        entry = {
            "type": "file-history-snapshot",
            "messageId": message_id,
            "snapshot": {
                "messageId": message_id,
                "trackedFileBackups": {},
                "timestamp": _timestamp(moment),
            },
            "isSnapshotUpdate": False,
        }
        self._emit(entry, moment, chain=False)

    def summary(self, leaf: str | None) -> None:
        entry = {"type": "summary", "summary": self.rng.choice(PROMPTS), "leafUuid": leaf}
        self._emit(entry, self.clock, chain=False)

    # ---------------------------------------------------------------- tools
    def _file_path(self) -> str:
        folder = self.rng.choice(("src", "tests", "lib", "docs", "app/models"))
        name = self.rng.choice(("handler", "parser", "client", "models", "utils", "config"))
        return f"{self.cwd}/{folder}/{name}{self.rng.choice(EXTENSIONS)}"

    def _patch(self) -> list[dict[str, Any]]:
        removed = self.rng.randint(0, 6)
        added = self.rng.randint(1, 12)
        start = self.rng.randint(1, 300)
        lines = [" " + self._words(2, 6)]
        lines += ["-" + self._words(2, 8) for _ in range(removed)]
        lines += ["+" + self._words(2, 8) for _ in range(added)]
        return [
            {
                "oldStart": start,
                "oldLines": removed + 1,
                "newStart": start,
                "newLines": added + 1,
                "lines": lines,
            }
        ]

    def _tool_call(self, name: str) -> tuple[dict[str, Any], Any, str]:
        """Returns the tool input, the toolUseResult payload and the result text."""
        path = self._file_path()
        if name == "Read":
            content = "\n".join(self._words(3, 10) for _ in range(self.rng.randint(3, 12)))
            lines = content.count("\n") + 1
            payload = {
                "type": "text",
                "file": {
                    "filePath": path,
                    "content": content,
                    "numLines": lines,
                    "startLine": 1,
                    "totalLines": lines,
                },
            }
            return {"file_path": path}, payload, content
        if name == "Bash":
            command = self.rng.choice(
                ("pytest -q", "npm test", "git status", "make build", "ls -la")
            )
            stdout = self._words(5, 40)
            return (
                {"command": command, "description": "Run " + command},
                {"stdout": stdout, "stderr": "", "interrupted": False, "isImage": False},
                stdout,
            )
        if name in ("Edit", "MultiEdit"):
            old, new = self._words(2, 8), self._words(3, 12)
            edits = [{"old_string": old, "new_string": new}]
            tool_input: dict[str, Any] = (
                {"file_path": path, "old_string": old, "new_string": new}
                if name == "Edit"
                else {"file_path": path, "edits": edits}
            )
            payload = {
                "filePath": path,
                "oldString": old,
                "newString": new,
                "originalFile": self._words(10, 30),
                "structuredPatch": self._patch(),
                "userModified": False,
                "replaceAll": False,
            }
            return tool_input, payload, f"The file {path} has been updated."
        if name == "Write":
            content = "\n".join(self._words(3, 10) for _ in range(self.rng.randint(5, 30)))
            if self.rng.random() < 0.3:
                content += "\n"
            if self.rng.random() < 0.7:
                # a new file: Claude Code records the whole content and an empty patch
                payload = {"type": "create", "filePath": path, "content": content}
                payload["structuredPatch"] = []
                text = f"File created successfully at: {path}"
            else:
                # an existing file overwritten: the patch against the old content
                payload = {
                    "type": "update",
                    "filePath": path,
                    "content": content,
                    "structuredPatch": self._patch(),
                    "originalFile": self._words(10, 30),
                }
                text = f"The file {path} has been updated."
            return {"file_path": path, "content": content}, payload, text
        if name == "NotebookEdit":
            notebook = f"{self.cwd}/notebooks/{self.rng.choice(('explore', 'report'))}.ipynb"
            source = "\n".join(self._words(2, 8) for _ in range(self.rng.randint(1, 8)))
            mode = self.rng.choice(("replace", "replace", "insert"))
            cell = self._token("cell-", 8)
            payload = {
                "new_source": source,
                "cell_id": cell,
                "cell_type": "code",
                "language": "python",
                "edit_mode": mode,
                "error": "",
            }
            tool_input = {
                "notebook_path": notebook,
                "cell_id": cell,
                "new_source": source,
                "edit_mode": mode,
            }
            return tool_input, payload, f"Updated cell {cell} with {source}"
        if name == "Skill":
            skill = self.rng.choice(SKILLS)
            payload = {"success": True, "commandName": skill}
            return {"skill": skill}, payload, f"Launching skill: {skill}"
        if name in ("Grep", "Glob"):
            files = [self._file_path() for _ in range(self.rng.randint(0, 5))]
            payload = {
                "filenames": files,
                "numFiles": len(files),
                "durationMs": self.rng.randint(3, 200),
            }
            pattern = self.rng.choice(("def parse", "TODO", "**/*.py", "import duckdb"))
            return {"pattern": pattern}, payload, "\n".join(files) or "No files found"
        if name == "TodoWrite":
            todos = [
                {
                    "content": self._words(3, 6),
                    "status": self.rng.choice(("pending", "in_progress", "completed")),
                    "activeForm": "Working",
                }
                for _ in range(self.rng.randint(1, 4))
            ]
            return (
                {"todos": todos},
                {"oldTodos": [], "newTodos": todos},
                "Todos have been modified successfully.",
            )
        if name == "WebFetch":
            url = "https://docs.example.com/" + self.rng.choice(("api", "guide", "changelog"))
            text = self._words(10, 40)
            payload = {
                "bytes": len(text),
                "code": 200,
                "codeText": "OK",
                "result": text,
                "durationMs": self.rng.randint(200, 3000),
                "url": url,
            }
            return {"url": url, "prompt": "Summarise"}, payload, text
        # MCP tools: the server and tool live in the name; results are plain content blocks.
        text = self._words(5, 20)
        return {"query": self._words(2, 5)}, [{"type": "text", "text": text}], text

    def _error_text(self, name: str, path: str) -> str:
        """The tool's error texts in turn, so a few errors of a tool already show them all."""
        kind = "mcp" if name.startswith("mcp__") else name
        kind = "Edit" if kind == "MultiEdit" else kind
        kind = kind if kind in TOOL_ERRORS else "other"
        templates = TOOL_ERRORS[kind]
        turn = self.writer.error_turns.get(kind, 0)
        self.writer.error_turns[kind] = turn + 1
        template = templates[turn % len(templates)]
        return template.format(
            path=path,
            n=self.rng.randint(2, 40000),
            code=self.rng.choice((1, 2, 127)),
            word=self.rng.choice(WORDS),
            words=self._words(1, 3),
        )

    def tool_round(
        self,
        interrupt_chance: float,
        names: list[str] | None = None,
        error_chance: float = ERROR_CHANCE,
    ) -> bool:
        """An assistant response that calls tools (`names`, else a random few), then the user
        entries with their results.

        Returns False when the user interrupted, which ends the turn.
        """
        if names is None:
            names = []
            for _ in range(self.rng.choices((1, 2, 3), (70, 22, 8))[0]):
                weights = [w for _, w in TOOL_WEIGHTS]
                name = self.rng.choices([n for n, _ in TOOL_WEIGHTS], weights)[0]
                if name == "mcp":
                    name = self.rng.choice(MCP_TOOLS)
                if name == "Task" and self.sidechain:
                    name = "Read"
                names.append(name)
        calls = []
        blocks: list[dict[str, Any]] = []
        if self.rng.random() < 0.35:
            blocks.append(
                {
                    "type": "thinking",
                    "thinking": self._words(10, 40),
                    "signature": self._token("Eu", 40),
                }
            )
        if self.rng.random() < 0.6:
            blocks.append({"type": "text", "text": self._words(5, 25)})
        for name in names:
            tool_id = self._token("toolu_01")
            tool_input, payload, text = self._tool_call(name)
            if name == "Task":
                tool_input = {
                    "description": "Explore the codebase",
                    "prompt": self._words(8, 20),
                    "subagent_type": self.rng.choice(SUBAGENT_TYPES),
                }
            blocks.append({"type": "tool_use", "id": tool_id, "name": name, "input": tool_input})
            calls.append((tool_id, name, tool_input, payload, text))
        self.assistant(blocks, "tool_use")
        caller = self.last_assistant_uuid
        for tool_id, name, tool_input, payload, text in calls:
            if self.writer.full:
                return False
            if name == "Task":
                payload, text = self._run_subagent(tool_input["prompt"], tool_id)
            if name == "Bash" and self.modern and self.rng.random() < 0.3:
                self._bash_progress(tool_id, text)
            entry = self._envelope("user")
            if self.modern and caller:
                entry["sourceToolAssistantUUID"] = caller
            roll = self.rng.random()
            if roll < interrupt_chance:
                result = {
                    "type": "tool_result",
                    "content": INTERRUPTED_TOOL,
                    "is_error": True,
                    "tool_use_id": tool_id,
                }
                entry["toolUseResult"] = "Error: " + INTERRUPTED_TOOL
                entry["message"] = {"role": "user", "content": [result]}
                self._emit(entry, self._advance(1, 20))
                self.interruption(for_tool=True)
                return False
            if roll < error_chance:
                error = self._error_text(name, tool_input.get("file_path") or self._file_path())
                result = {
                    "type": "tool_result",
                    "content": error,
                    "is_error": True,
                    "tool_use_id": tool_id,
                }
                entry["toolUseResult"] = "Error: " + error
            else:
                result = {
                    "type": "tool_result",
                    "content": text,
                    "is_error": False,
                    "tool_use_id": tool_id,
                }
                entry["toolUseResult"] = payload
            entry["message"] = {"role": "user", "content": [result]}
            latency = (5, 120) if name in ("Task", "WebFetch") else (0.05, 15)
            self._emit(entry, self._advance(*latency))
        return True

    def _bash_progress(self, tool_id: str, output: str) -> None:
        entry = self._envelope("progress")
        moment = self._advance(1, 4)
        entry.update(
            {
                "data": {
                    "type": "bash_progress",
                    "output": output[:80],
                    "fullOutput": output,
                    "elapsedTimeSeconds": self.rng.randint(1, 30),
                    "totalLines": output.count(" ") // 8 + 1,
                },
                "toolUseID": "bash-progress-0",
                "parentToolUseID": tool_id,
                "uuid": self._uuid(),
                "timestamp": _timestamp(moment),
            }
        )
        self._emit(entry, moment, chain=False)

    def _run_subagent(self, prompt: str, tool_id: str) -> tuple[dict[str, Any], str]:
        """A Task call runs a sidechain conversation in its own file, then reports back.

        From 2.1 on every turn of it is also echoed into this session (agent_progress), and
        some runs' own files are missing, as in synced or copied histories."""
        agent = _Session(self.rng, self.writer, self.cwd, self.clock, session_id=self.session_id)
        agent.sidechain = True
        agent.model, agent.context_tokens = SUBAGENT_MODEL, self.rng.randint(8_000, 20_000)
        length = 17 if self.modern else 8
        agent.agent_id = "".join(self.rng.choice("0123456789abcdef") for _ in range(length))
        agent.path = f"{self.slug}/{self.session_id}/subagents/agent-{agent.agent_id}.jsonl"
        agent.branch, agent.version = self.branch, self.version
        agent.task_tool_id = tool_id
        if self.modern:
            agent.echo_into = self
            agent.writes_own_file = self.rng.random() >= MISSING_SUBAGENT_FILE_SHARE
        agent.user_text(prompt)
        for _ in range(self.rng.randint(1, 3)):
            if self.writer.full or not agent.tool_round(interrupt_chance=0.0):
                break
        report = self._words(10, 30)
        agent.assistant([{"type": "text", "text": report}], "end_turn")
        self.clock = max(self.clock, agent.clock)
        payload = {
            "content": [{"type": "text", "text": report}],
            "totalDurationMs": int((agent.clock - agent.history[0][1]).total_seconds() * 1000)
            if agent.history
            else 0,
            "totalTokens": agent.context_tokens,
            "totalToolUseCount": sum(
                1 for e, _ in agent.history if e.get("toolUseResult") is not None
            ),
        }
        if self.modern:
            payload = {"status": "completed", "prompt": prompt, "agentId": agent.agent_id} | payload
        return payload, report

    # ---------------------------------------------------------------- a whole session
    def run_away(self) -> None:
        """A stuck agent: one request, then failing calls again and again (three in four
        fail, each response re-reading a huge context) until the user rejects the next one,
        so its cost per hour and its tool-error rate are far above every other session's,
        and its errors show every class."""
        self.file_history_snapshot()
        self.user_text("Make the integration tests pass, whatever it takes")
        for index, name in enumerate(RUNAWAY_TOOLS):
            if self.writer.full:
                return
            failing = 0.0 if index % 4 == 3 else 1.0
            self.tool_round(0.0, names=[name], error_chance=failing)
        self.tool_round(1.0, names=["Bash"])

    def outage(self) -> None:
        """The API overloaded for a minute or two: one retry error after another, early in
        an hour so the burst falls in one hour."""
        self.clock = self.clock.replace(minute=self.rng.randint(0, 20))
        self.user_text(self.rng.choice(PROMPTS))
        for _ in range(OUTAGE_ERRORS):
            if self.writer.full:
                return
            self.api_error()

    def run(self, turns: int) -> None:
        self.file_history_snapshot()
        for turn in range(turns):
            if self.writer.full:
                return
            if turn and self.rng.random() < 0.12:
                # An idle gap: lunch, a meeting; active time must exclude it.
                self._advance(35 * 60, 3 * 3600)
            roll = self.rng.random()
            if roll < 0.06:
                name = self.rng.choice(SLASH_COMMANDS)
                self.user_text(
                    f"<command-message>{name[1:]} is running…</command-message>\n"
                    f"<command-name>{name}</command-name>\n<command-args></command-args>"
                )
            else:
                self.user_text(self.rng.choice(PROMPTS) + ". " + self._words(0, 20))
            started = self.clock
            if self.rng.random() < 0.03:
                self.api_error()
            if self.rng.random() < 0.05:
                self.interruption(for_tool=False)
                continue
            finished = True
            for _ in range(self.rng.randint(0, 5)):
                if self.writer.full or not self.tool_round(interrupt_chance=0.02):
                    finished = False
                    break
                if self.modern and self.rng.random() < 0.08:
                    self.queue_operation()
            if finished:
                self.assistant([{"type": "text", "text": self._words(8, 40)}], "end_turn")
                if self.modern and self.rng.random() < 0.5:
                    self.turn_duration(started)
            if self.rng.random() < 0.04:
                self.compact_boundary()


def _active_offsets(rng: random.Random, spec: SampleSpec) -> list[int]:
    """The days (offsets from the start) sessions start on."""
    offsets = list(range(spec.days))
    if spec.active_days is not None:
        offsets = sorted(rng.sample(offsets, min(spec.active_days, spec.days)))
    return offsets


def _session_starts(
    rng: random.Random, offsets: list[int], spike: int | None, spec: SampleSpec
) -> Iterator[tuple[str, datetime]]:
    """Endless stream of (project, start time) weighted to working hours: one session on
    each active day and in each project first (a small sample still has a history before
    its spike, and every person of the team), then at random, the spike day getting
    `SPIKE_WEIGHT` times the sessions of any other."""
    weights = [SPIKE_WEIGHT if offset == spike else 1 for offset in offsets]
    count = 0
    while True:
        offset = offsets[count] if count < len(offsets) else rng.choices(offsets, weights)[0]
        count += 1
        day = spec.start + timedelta(days=offset)
        hour = rng.choices(
            range(24), [1] * 7 + [4, 8, 10, 10, 8, 6, 9, 10, 9, 8, 6, 4, 3, 3, 2, 2, 1]
        )[0]
        moment = datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=UTC
        )
        weighted = rng.choices(PROJECTS, (30, 20, 15, 15, 10, 10))[0]
        yield PROJECTS[count - 1] if count <= len(PROJECTS) else weighted, moment


def generate_sessions(spec: SampleSpec) -> _Writer:
    """Simulate sessions until exactly `spec.entries` entries exist; returns the buffers."""
    rng = random.Random(spec.seed)
    writer = _Writer(spec.entries)
    finished: list[_Session] = []
    offsets = _active_offsets(rng, spec)
    # The last active day, given a few before it, is a cost spike: several times the
    # sessions of another day, each on a long context. The runaway session and the API
    # outage happen in the days just before it, so every anomaly is a recent one.
    spike = offsets[-1] if len(offsets) > SPIKE_AFTER_DAYS else None
    anomaly_days = {
        RUNAWAY_SESSION: spec.start + timedelta(days=offsets[-2 if len(offsets) > 1 else -1]),
        OUTAGE_SESSION: spec.start + timedelta(days=offsets[-1]),
    }
    starts = _session_starts(rng, offsets, spike, spec)
    count = 0
    while not writer.full:
        cwd, start = next(starts)
        number, count = count, count + 1
        if number in anomaly_days:
            day = anomaly_days[number]
            start = start.replace(year=day.year, month=day.month, day=day.day)
        spike_day = spike is not None and start.date() == spec.start + timedelta(days=spike)
        long_context = spike_day or number % LONG_CONTEXT_EVERY == 1 or number == RUNAWAY_SESSION
        session = _Session(rng, writer, cwd, start, long_context=long_context)
        if number in (RUNAWAY_SESSION, OUTAGE_SESSION):
            if number == RUNAWAY_SESSION:
                session.context_tokens = rng.randint(*RUNAWAY_CONTEXT_TOKENS)
                session.run_away()
            else:
                session.outage()
            finished.append(session)
            continue
        previous = [s for s in finished if s.cwd == cwd and s.history]
        if previous and rng.random() < 0.15:
            # A resumed session: a new file that starts with a summary and repeats the
            # earlier conversation (same uuids, message ids and request ids).
            earlier = previous[-1]
            session.clock = max(start, earlier.clock + timedelta(minutes=rng.randint(5, 600)))
            session.summary(leaf=earlier.parent)
            for entry, moment in earlier.history:
                if entry.get("type") in ("user", "assistant"):
                    copy = dict(entry, sessionId=session.session_id)
                    session.writer.write(session.path, copy, moment)
            session.parent = earlier.parent
        session.run(turns=rng.randint(1, 8))
        finished.append(session)
        if len(finished) > 50:
            finished.pop(0)
    return writer


def team_identities() -> tuple[tuple[str, Identity], ...]:
    """Each project folder of the sample with who works on it, and on which machine."""
    return tuple((project_slug(cwd), Identity(*who)) for cwd, who in TEAM.items())


def generate(out_dir: Path, spec: SampleSpec = SampleSpec()) -> GenerationSummary:
    """Write the sample transcripts under `out_dir` and set each file's mtime to its last event."""
    writer = generate_sessions(spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    for relative, lines in sorted(writer.files.items()):
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        stamp = writer.last_time[relative].timestamp()
        os.utime(path, (stamp, stamp))
    return GenerationSummary(
        entries=writer.count, files=len(writer.files), by_type=dict(sorted(writer.by_type.items()))
    )
