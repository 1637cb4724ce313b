"""Replace values that look like credentials with a typed marker before text reaches the lake.

Transcripts hold whatever the user pasted and every tool output, so API keys, cloud keys and
passwords end up in them. The rules are written once here and applied two ways: as DuckDB
`regexp_replace` over a whole batch (the lake path: set-based, no Python loop per row) and
with Python's `re` over single messages (alerts). Both engines accept the same syntax for
these patterns (RE2 is a subset of `re`). No pattern matches a double quote or a backslash
that could end a JSON string, so a redacted entry stays valid JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: str
    # `\1` keeps a prefix (a URL's user, the word Bearer) so the text stays readable.
    keep_prefix: bool = False
    # Text the pattern consumed after the secret and puts back (a URL's `@`).
    suffix: str = ""

    @property
    def marker(self) -> str:
        return f"[REDACTED:{self.kind}]"

    @property
    def replacement(self) -> str:
        prefix = "\\1" if self.keep_prefix else ""
        return f"{prefix}{self.marker}{self.suffix}"


RULES: tuple[Rule, ...] = (
    Rule(
        "private_key",
        r'-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[^"]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----',
    ),
    Rule("aws_access_key", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
    Rule(
        "aws_secret_key",
        r"(?i)(aws_?secret_?(?:access_?)?key[\\\"' ]*[=:][\\\"' ]*)[A-Za-z0-9/+]{40}",
        keep_prefix=True,
    ),
    Rule("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    Rule("api_key", r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"),
    Rule("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    Rule("bearer_token", r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/-]{16,}=*", keep_prefix=True),
    Rule(
        "url_password",
        r"\b([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s\"\\]+:)[^@/\s\"\\]+@",
        keep_prefix=True,
        suffix="@",
    ),
)
KINDS: tuple[str, ...] = tuple(rule.kind for rule in RULES)


def _literal(text: str) -> str:
    """A SQL string literal (DuckDB strings do not treat backslash as an escape)."""
    return "'" + text.replace("'", "''") + "'"


def any_match_sql(column: str) -> str:
    """True when any rule matches: most entries hold no secret and skip the replacement."""
    combined = "|".join(f"(?:{rule.pattern})" for rule in RULES)
    return f"regexp_matches({column}, {_literal(combined)})"


def redaction_columns_sql(column: str, prefix: str = "redact") -> tuple[str, str]:
    """Select-list items that redact `column`, rule after rule, and count each rule's hits.

    DuckDB lets a select item use an alias defined earlier in the same list, so each rule
    runs on the previous rule's output and a value is counted under one kind only.
    Returns (select items, name of the final redacted column).
    """
    items: list[str] = []
    current = column
    for index, rule in enumerate(RULES):
        pattern = _literal(rule.pattern)
        items.append(f"len(regexp_extract_all({current}, {pattern})) as {prefix}_{rule.kind}")
        step = f"{prefix}_text_{index}"
        items.append(
            f"regexp_replace({current}, {pattern}, {_literal(rule.replacement)}, 'g') as {step}"
        )
        current = step
    return ",\n".join(items), current


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(rule.pattern), rule.replacement) for rule in RULES)


def redact_text(text: str) -> str:
    """Python twin of the SQL path, for single messages (alerts, error texts)."""
    for pattern, replacement in _compiled():
        text = pattern.sub(replacement, text)
    return text
