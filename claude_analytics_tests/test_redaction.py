"""Credentials are replaced by typed markers in SQL and in Python, and JSON stays valid."""

from __future__ import annotations

import json

import duckdb
import pytest

from claude_analytics.lib import redaction

CASES = {
    "aws_access_key": ("key AKIAIOSFODNN7EXAMPLE here", "key [REDACTED:aws_access_key] here"),
    "aws_secret_key": (
        'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
        'aws_secret_access_key = "[REDACTED:aws_secret_key]"',
    ),
    "github_token": ("token ghp_" + "a" * 36, "token [REDACTED:github_token]"),
    "api_key": (
        "ANTHROPIC_API_KEY=sk-ant-api03-" + "Z9" * 20,
        "ANTHROPIC_API_KEY=[REDACTED:api_key]",
    ),
    "slack_token": ("xoxb-1234567890-abcdef", "[REDACTED:slack_token]"),
    "bearer_token": (
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
        "Authorization: Bearer [REDACTED:bearer_token]",
    ),
    "url_password": (
        "mongodb://admin:s3cr3t-pass@db.internal:27017/claude_logs",
        "mongodb://admin:[REDACTED:url_password]@db.internal:27017/claude_logs",
    ),
    "private_key": (
        "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXk\\n-----END OPENSSH PRIVATE KEY-----",
        "[REDACTED:private_key]",
    ),
}
HARMLESS = [
    "the task-management module and a risk-assessment",
    "a bearer of good news",
    "http://localhost:8080/path@v2 and user@example.com",
    "AKIA is a prefix; sk-short",
]


def _sql_redact(texts: list[str]) -> list[tuple]:
    items, final = redaction.redaction_columns_sql("t")
    counts = ", ".join(f"redact_{kind}" for kind in redaction.KINDS)
    return duckdb.sql(
        f"select {redaction.any_match_sql('t')}, {final}, {counts} "
        f"from (select {items}, t from (select unnest($texts) as t))",
        params={"texts": texts},
    ).fetchall()


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_kind_is_replaced_by_its_marker_in_sql_and_python(kind: str) -> None:
    text, expected = CASES[kind]
    matched, redacted, *counts = _sql_redact([text])[0]
    assert matched is True
    assert redacted == expected
    assert dict(zip(redaction.KINDS, counts, strict=True)) == {
        k: (1 if k == kind else 0) for k in redaction.KINDS
    }
    assert redaction.redact_text(text) == expected


def test_harmless_text_is_untouched() -> None:
    for (matched, redacted, *counts), text in zip(_sql_redact(HARMLESS), HARMLESS, strict=True):
        assert matched is False
        assert redacted == text
        assert sum(counts) == 0
    assert [redaction.redact_text(text) for text in HARMLESS] == HARMLESS


def test_redacted_json_stays_valid_json() -> None:
    entry = {"message": {"content": " | ".join(text for text, _ in CASES.values())}}
    line = json.dumps(entry)
    (_, redacted, *counts) = _sql_redact([line])[0]
    assert sum(counts) == len(CASES)
    parsed = json.loads(redacted)
    for _, expected_text in CASES.values():
        marker = expected_text[expected_text.index("[REDACTED:") :].split("]")[0] + "]"
        assert marker in parsed["message"]["content"]
