"""Credentials are replaced by typed markers wherever they sit in an entry, and JSON stays valid.

Before the rules ran on decoded text, a key at the start of a line of tool output followed
the `n` of a `\\n` escape and slipped past `\\b`; ten of these forms had no rule at all.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from claude_analytics.core.contracts import DateWindow
from claude_analytics.core.ingest import redaction
from claude_analytics.core.ingest.parse import ParsedBatch, parse_batch
from claude_analytics.core.ingest.re2_superset import re2_superset
from claude_analytics.core.sources.jsonl import JsonlDirectorySource
from claude_analytics_tests.support.secret_forms import FORMS, secret_lines

DAY = date(2026, 11, 3)
WINDOW = DateWindow(date(2026, 11, 1), date(2026, 11, 15))
HARMLESS = [
    "the task-management module and a risk-assessment",
    "a bearer of good news",
    "http://localhost:8080/path@v2 and user@example.com",
    "AKIA is a prefix; sk-short; ghp_short",
    "session 8f14e45fceea167a5a36dedd4bea2543 at 10.0.0.1 on 2026-11-03T10:00:00Z",
    "the password field is required; token counts: 1,234",
]


def _parse(root: Path) -> list[ParsedBatch]:
    return [
        parse_batch(
            batch,
            WINDOW,
            inherit_file_time=True,
            run_id="redaction",
            partition_start=date(2025, 1, 1),
            partition_end=date(2026, 11, 30),
        )
        for batch in JsonlDirectorySource(root).iter_batches(WINDOW)
    ]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> ParsedBatch:
    root = tmp_path_factory.mktemp("secrets")
    path = root / "-home-dev-secrets" / "secret-session.jsonl"
    path.parent.mkdir()
    lines = secret_lines(datetime(2026, 11, 3, 10, tzinfo=UTC))
    path.write_bytes(b"\n".join(line for _, line, _ in lines) + b"\n")
    [batch] = _parse(root)
    return batch


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_each_form_is_redacted_in_every_place_and_position(parsed: ParsedBatch, form) -> None:
    texts = parsed.entries["raw_json"].to_pylist() + parsed.dead_letters["raw_text"].to_pylist()
    for leak in form.leaks:
        assert not [text for text in texts if leak in text], f"{form.name} leaked {leak!r}"
    # its 12 entries (4 places x 3 positions) are kept, redacted
    mine = [
        row["raw_json"]
        for row in parsed.entries.to_pylist()
        if row["uuid"].startswith(f"{form.name}-")
    ]
    assert len(mine) == 12
    assert all("[REDACTED:" in text for text in mine)


def test_redacted_entries_stay_valid_json_and_dead_letters_stay_letters(
    parsed: ParsedBatch,
) -> None:
    for text in parsed.entries["raw_json"].to_pylist():
        json.loads(text)
    assert parsed.dead_letters.num_rows == len(FORMS)
    assert set(parsed.dead_letters["reason"].to_pylist()) == {"invalid_json"}
    assert all("[REDACTED:" in t for t in parsed.dead_letters["raw_text"].to_pylist())
    assert parsed.unaccounted_lines == 0


def test_counts_per_rule(parsed: ParsedBatch) -> None:
    counts = parsed.redactions
    for kind in ("api_key", "github_token", "aws_access_key", "slack_token", "gitlab_token",
                 "stripe_access_key", "google_api_key", "aws_secret_key", "json_web_token",
                 "private_key", "url_secret", "basic_auth_credentials", "bearer_token",
                 "sendgrid_api_key", "npm_tokens", "secret_keyword"):  # fmt: skip
        assert counts.get(kind, 0) >= 13, kind  # 12 entries and a dead letter each
    assert set(counts) <= set(redaction.kinds())


def test_markers_keep_the_text_readable() -> None:
    assert redaction.redact_text("Authorization: Bearer 8a7b6c5d4e3f2a1b0c9d8e7f6a5b") == (
        "Authorization: Bearer [REDACTED:bearer_token]"
    )
    assert redaction.redact_text("mongodb://admin:s3cr3t-pass@db:27017/x") == (
        "mongodb://admin:[REDACTED:basic_auth_credentials]@db:27017/x"
    )
    assert redaction.redact_text("https://h/x?user=a&password=hunter22&x=1") == (
        "https://h/x?user=a&password=[REDACTED:url_secret]&x=1"
    )


def test_harmless_text_is_untouched() -> None:
    assert [redaction.redact_text(text) for text in HARMLESS] == HARMLESS
    line = json.dumps({"message": {"content": "\n".join(HARMLESS)}})
    assert redaction.redact_json_text(line) == (line, {})


def test_the_sample_data_holds_nothing_to_redact(small_sample_master: Path) -> None:
    assert all(parsed.redactions == {} for parsed in _parse(small_sample_master))


def test_every_rule_has_an_exact_re2_candidate_filter() -> None:
    # a rule RE2 could not take would make every line a candidate (slow, never leaky)
    for rule in redaction.rules():
        assert re2_superset(rule.pattern) != "(?s:.)", rule.pattern.pattern
    assert len(redaction.rules()) > 40  # detect-secrets' rules, not a hand-kept list
