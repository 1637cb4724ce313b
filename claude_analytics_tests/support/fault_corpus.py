"""A malformed Claude Code corpus: every kind of bad line the platform must survive.

`write_fault_corpus` adds a project folder of broken transcripts next to a good sample and
returns what must become of each line, so tests compare against expectations written
here, not against what the parser happens to do.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

PROJECT = "-home-dev-faults"
TEN_MB = 10 * 1024 * 1024
SECRETS = {
    "aws_access_key": "AKIAIOSFODNN7EXAMPLE",
    "github_token": "ghp_" + "A1b2C3d4E5" * 4,
    "api_key": "sk-ant-api03-" + "x" * 40,
}


@dataclass(frozen=True)
class FaultLine:
    raw: bytes
    reason: str | None  # None: a usable entry that must reach raw.conversations
    note: str


def _entry(day: date, minute: int, **fields: object) -> dict[str, object]:
    stamp = datetime.combine(day, time(10, minute), UTC).isoformat().replace("+00:00", "Z")
    return {
        "type": "user",
        "uuid": f"fault-{minute:04d}",
        "parentUuid": None,
        "sessionId": "fault-session",
        "timestamp": stamp,
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/faults",
        "gitBranch": "main",
        "version": "2.0.14",
        "message": {"role": "user", "content": "hello"},
        **fields,
    }


def _line(value: object) -> bytes:
    return json.dumps(value).encode()


def _nested(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def fault_lines(day: date) -> list[FaultLine]:
    """The main broken transcript; its first line dates the lines that cannot be parsed."""
    big_output = "x" * TEN_MB
    secret_text = " ".join(SECRETS.values())
    return [
        FaultLine(_line(_entry(day, 1)), None, "a good user entry"),
        FaultLine(
            _line(
                _entry(
                    day,
                    2,
                    type="assistant",
                    message={"role": "assistant", "id": "msg_big", "content": "done"},
                    toolUseResult={"stdout": big_output},
                )
            ),
            None,
            "a 10 MB tool output",
        ),
        FaultLine(
            _line(_entry(day, 3, message={"role": "user", "content": _nested(800)})),
            None,
            "deeply nested content",
        ),
        FaultLine(
            _line(_entry(day, 4, message={"role": "user", "content": secret_text})),
            None,
            "credentials in a message (redacted, kept)",
        ),
        FaultLine(_line(_entry(day, 5, type="agent-telemetry", telemetryBlob={"a": 1})), None,
                  "an unknown entry type with an unknown field"),
        FaultLine(b'{"type": "user", "uuid": "cut", "message": {"con', "invalid_json", "cut JSON"),
        FaultLine(bytes(range(0x80, 0xFF)) + b"\x00\x01binary", "invalid_utf8", "binary garbage"),
        FaultLine(b"\x01\x02\x03\x7f garbage", "invalid_json", "control-character garbage"),
        FaultLine(b'{"type": "user", "message": "caf\xe9"}', "invalid_utf8", "Latin-1 byte"),
        FaultLine(b"[1, 2, 3]", "not_an_object", "a JSON array"),
        FaultLine(b"null", "not_an_object", "a JSON null"),
        FaultLine(_line(_entry(day, 6, timestamp="yesterday-ish")), "unparseable_timestamp",
                  "a timestamp that does not parse"),
        FaultLine(_line(_entry(day, 7, sessionId=None)), "missing_field: sessionId",
                  "null sessionId"),
        FaultLine(
            _line({k: v for k, v in _entry(day, 8, type="assistant").items() if k != "timestamp"}),
            "missing_field: timestamp",
            "missing timestamp",
        ),
        FaultLine(_line(_entry(day, 9, timestamp=None)), "missing_field: timestamp",
                  "null timestamp"),
        FaultLine(_line(_entry(day, 10, message=None)), "missing_field: message", "null message"),
        FaultLine(
            _line({k: v for k, v in _entry(day, 11).items() if k != "message"}),
            "missing_field: message",
            "missing message",
        ),
        FaultLine(
            _line(_entry(day, 12, message={"role": "user", "usage": {"input_tokens": "many"}})),
            "wrong_type: message.usage.input_tokens",
            "a string where tokens belong",
        ),
        FaultLine(_line(_entry(day, 13, uuid=42)), "wrong_type: uuid", "a number as uuid"),
        FaultLine(
            b'{"type": "user", "note": "' + SECRETS["api_key"].encode() + b'", "cut',
            "invalid_json",
            "a broken line holding a secret (redacted in dead letters too)",
        ),
        # last line, no newline, cut in the middle of a 1 MB string: the writer died here
        FaultLine(b'{"type": "assistant", "toolUseResult": "' + b"y" * 1_000_000, "invalid_json",
                  "truncated last line"),
    ]  # fmt: skip


def duplicate_lines(day: date) -> list[FaultLine]:
    """A second file repeating uuids of the first: both copies are kept in raw."""
    return [
        FaultLine(_line(_entry(day, 1)), None, "duplicate uuid of fault-0001"),
        FaultLine(_line(_entry(day, 4, message={"role": "user", "content": "again"})), None,
                  "duplicate uuid of fault-0004"),
    ]  # fmt: skip


def garbage_only_lines() -> list[FaultLine]:
    """A file with no parseable line: dated by the file's modification time."""
    return [FaultLine(b"\xff\xfe\xfd not even text", "invalid_utf8", "garbage-only file")]


def _write(path: Path, lines: list[FaultLine], day: date, trailing_newline: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = b"\n".join(line.raw for line in lines) + (b"\n" if trailing_newline else b"")
    path.write_bytes(body)
    noon = datetime.combine(day, time(12), UTC).timestamp()
    os.utime(path, (noon, noon))


def write_fault_corpus(root: Path, day: date) -> dict[tuple[str, int], FaultLine]:
    """Writes three broken files under `root/PROJECT`; keys are (source_file, line_number)."""
    files = {
        f"{PROJECT}/broken-session.jsonl": (fault_lines(day), False),
        f"{PROJECT}/duplicate-uuids.jsonl": (duplicate_lines(day), True),
        f"{PROJECT}/garbage.jsonl": (garbage_only_lines(), True),
    }
    expected: dict[tuple[str, int], FaultLine] = {}
    for relative, (lines, newline) in files.items():
        _write(root / relative, lines, day, trailing_newline=newline)
        for number, line in enumerate(lines, start=1):
            expected[(relative, number)] = line
    return expected
