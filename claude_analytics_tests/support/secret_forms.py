"""Realistic credentials, and where in a Claude Code entry each can turn up.

Every form is made up here (none is a real credential) in the shape its issuer uses.
`leaks` are the parts that must not be found anywhere after redaction: for a key its whole
value, for a JWT each segment, for a private key a line of its body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from claude_analytics_tests.support.transcripts import assistant, prompt, tool_result


@dataclass(frozen=True)
class SecretForm:
    name: str
    text: str  # as it appears in a transcript
    leaks: tuple[str, ...]


_BODY = "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"
_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
)
_STS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
_STS_TOKEN = "FwoGZXIvYXdzEBYaDHqa0AP1/ExampleSessionTokenValue+Z2oN5mbHD9xQ=="

FORMS: tuple[SecretForm, ...] = (
    SecretForm("anthropic", k := "sk-ant-api03-" + "Xk9" * 30 + "AA", (k,)),
    SecretForm("github", k := "ghp_" + "R2d2C3po" * 4 + "Bb8X", (k,)),
    SecretForm("aws_access_key", k := "AKIA" + "Q2W3E4R5T6Y7U8I9", (k,)),
    SecretForm("slack", k := "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", (k,)),
    SecretForm("gitlab", k := "glpat-" + "Zx8Cv7Bn6Mq5Wr4Et3Yu", (k,)),
    SecretForm("stripe", k := "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", (k,)),
    SecretForm("google", k := "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", (k,)),
    SecretForm(
        "aws_sts_json",
        json.dumps(
            {
                "Credentials": {
                    "AccessKeyId": "ASIA" + "Z9X8C7V6B5N4M3L2",
                    "SecretAccessKey": _STS_SECRET,
                    "SessionToken": _STS_TOKEN,
                }
            },
            indent=4,
        ),
        ("ASIAZ9X8C7V6B5N4M3L2", _STS_SECRET, _STS_TOKEN),
    ),
    SecretForm("jwt", ".".join(_JWT), _JWT),
    SecretForm(
        "private_key_cut",
        "-----BEGIN RSA PRIVATE KEY-----\n" + _BODY + "\n" + _BODY[::-1],
        (_BODY, _BODY[::-1]),
    ),
    SecretForm(
        "private_key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n" + _BODY[5:] + "\n-----END OPENSSH PRIVATE KEY-----",
        (_BODY[5:],),
    ),
    SecretForm(
        "url_query_password",
        "https://db.example.com/connect?user=app&password=Tr0ub4dor3xyzQ&ssl=1",
        ("Tr0ub4dor3xyzQ",),
    ),
    SecretForm(
        "url_userinfo",
        "postgres://app:Sup3rS3cretPw9@db.internal:5432/claude",
        ("Sup3rS3cretPw9",),
    ),
    SecretForm(
        "bearer",
        "Authorization: Bearer 8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d",
        ("8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d",),
    ),
    # a few of the forms detect-secrets knows beyond the list above
    SecretForm("sendgrid", k := "SG." + "a1B2c3D4e5F6g7H8i9J0kL" + "." + "Q" * 43, (k,)),
    SecretForm("npm", "//registry.npmjs.org/:_authToken=npm_" + "T0k3n" * 7 + "X", ("T0k3n" * 7,)),
    SecretForm("keyword", 'db_password = "hunter2-Correct-Horse"', ("hunter2-Correct-Horse",)),
)


def positions(secret: str) -> list[str]:
    """The secret at the start of a line, in the middle of one and at the end of one, the
    lines separated by real newlines and tabs (JSON escapes them as `\\n` and `\\t`)."""
    return [
        f"{secret}\nnext line",
        f"before\tthe {secret} and after",
        f"line one\n  at the end {secret}",
    ]


Context = Callable[[str, str, datetime], dict[str, Any]]


def _prompt(text: str, uuid: str, at: datetime) -> dict[str, Any]:
    return prompt(uuid, "secret-session", at, "/home/dev/secrets", text)


def _tool_result(text: str, uuid: str, at: datetime) -> dict[str, Any]:
    entry = tool_result(uuid, "secret-session", at, "/home/dev/secrets", "toolu_secret")
    entry["message"]["content"][0]["content"] = text
    entry["toolUseResult"] = {"stdout": text, "stderr": "", "interrupted": False}
    return entry


def _tool_input(text: str, uuid: str, at: datetime) -> dict[str, Any]:
    block = {"type": "tool_use", "id": f"toolu_{uuid}", "name": "Bash", "input": {"command": text}}
    return assistant(
        uuid, "secret-session", at, "/home/dev/secrets",
        message_id=f"msg_{uuid}", request_id=f"req_{uuid}", output_tokens=5, block=block,
    )  # fmt: skip


def _patch(text: str, uuid: str, at: datetime) -> dict[str, Any]:
    entry = tool_result(uuid, "secret-session", at, "/home/dev/secrets", "toolu_edit")
    lines = ["-OLD=1", *(f"+{line}" for line in text.split("\n"))]
    entry["toolUseResult"] = {
        "filePath": "/home/dev/secrets/.env",
        "oldString": "OLD=1",
        "newString": text,
        "structuredPatch": [{"oldStart": 1, "oldLines": 1, "newStart": 1, "lines": lines}],
    }
    return entry


CONTEXTS: dict[str, Context] = {
    "prompt": _prompt,
    "tool_result": _tool_result,
    "tool_input": _tool_input,
    "patch": _patch,
}


def secret_lines(at: datetime) -> list[tuple[str, bytes, bool]]:
    """(label, line, is a dead letter) for every form × position × context, and each form
    in a cut line that can only be a dead letter."""
    lines = []
    for form in FORMS:
        for place, text in enumerate(positions(form.text)):
            for context, build in CONTEXTS.items():
                uuid = f"{form.name}-{context}-{place}"
                lines.append((uuid, json.dumps(build(text, uuid, at)).encode(), False))
        # cut just after the secret, as a writer that died mid-line leaves it
        whole = json.dumps(_tool_result(positions(form.text)[1], f"{form.name}-cut", at))
        end = whole.index(form.leaks[-1]) + len(form.leaks[-1]) + 5
        lines.append((f"{form.name}-dead-letter", whole[:end].encode(), True))
    return lines
