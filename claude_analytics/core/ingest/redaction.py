"""Replace credentials with a typed marker before any text reaches the lake.

Transcripts hold whatever the user pasted and every tool's output, so API keys, cloud keys
and passwords end up in them. The rules are not a list kept here: they are every regular
expression detector detect-secrets ships (found through its plugin registry, so an upgrade
brings its new forms), its keyword rules for quoted values, and its private-key headers
extended to the whole block (to the END line, or to the end of a value cut before it).
Only the forms that tool does not know are written here (`EXTRA_RULES`).

Rules run on decoded text (`json_strings`): a `\\n` escape before a key is a line break,
as in the Bash output it came from. A match is replaced in the stored text inside the one
string it lies in, so a redacted entry stays valid JSON and everything else stays as written.
A batch costs a few RE2 passes in DuckDB (`with_secret_filter`: a copy of every rule widened to
what RE2 can run, in unions of ten) and Python only for the lines they select.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from claude_analytics.core.ingest import json_strings
from claude_analytics.core.ingest.re2_superset import UntranslatableError, re2_superset

# A detector's match often includes its context (an opening quote or `=`, a closing quote,
# the `@` after a URL's password): these are trimmed from the ends of the secret.
_LEADING_CONTEXT = "\"'`=: \t\r\n"
_TRAILING_CONTEXT = "\"'`@ \t\r\n,;)]}>"
# Detectors that find something other than a credential.
_NOT_CREDENTIALS = frozenset({"IPPublicDetector"})
# detect-secrets' JWT pattern ends lazily, before the signature: the secret runs on.
_JWT_CHARACTERS = string.ascii_letters + string.digits + "-_.+/="
# A private key runs to its END line, or to the end of the value when it was cut before it;
# lines of a patch are array elements (`", "+MIIE...`), and the key runs on through them.
_PRIVATE_KEY_BODY = (
    r"(?:(?!-----END)[^\"]|\"\s*,\s*\"[+ -]?(?=[A-Za-z0-9+/=]{8}|-----END))*"
    r"(?:-----END[ A-Z0-9]*-----)?"
)


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    # the group holding the secret; None: the first group unless it only opens the match
    group: int | None = None
    # characters the secret runs on past the match (a detector's lazy ending)
    extend: str = ""

    def secret_spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for match in self.pattern.finditer(text):
            if self.group is not None:
                start, end = match.span(self.group)
            else:
                start, end = match.span()
                if self.pattern.groups and match.start(1) > start:
                    start = match.start(1)
                while start < end and text[start] in _LEADING_CONTEXT:
                    start += 1
                while end > start and text[end - 1] in _TRAILING_CONTEXT:
                    end -= 1
            while end < len(text) and text[end] in self.extend:
                end += 1
            if end > start:
                spans.append((start, end))
        return spans


def _ascii(pattern: re.Pattern[str], flags: int = 0) -> re.Pattern[str]:
    """`pattern` with ASCII classes: credentials are ASCII, and ASCII classes translate to
    RE2 exactly (Unicode ones widen its automaton several times over)."""
    return re.compile(pattern.pattern, (pattern.flags & ~re.UNICODE) | re.ASCII | flags)


def _kind(secret_type: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", secret_type.lower()).strip("_")


# Forms detect-secrets does not know: Anthropic and OpenAI project keys, Google API keys,
# AWS secret keys and STS session tokens outside quotes, bearer tokens, and credentials in a
# URL (its Basic Auth rule covers most `user:password@`, not all).
EXTRA_RULES: tuple[tuple[str, str, int | None], ...] = (
    ("api_key", r"(?<![A-Za-z0-9_-])sk-(?:ant-|proj-)[A-Za-z0-9_-]{20,}", None),
    ("api_key", r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9]{32,}", None),
    ("google_api_key", r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}", None),
    (
        "aws_secret_key",
        r"(?i)(?<![A-Za-z0-9])(?:aws_?)?(?:secret_?access_?key|session_?token|security_?token)"
        r"[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+=]{16,})",
        1,
    ),
    ("bearer_token", r"(?i)(?<![A-Za-z0-9])bearer\s+([A-Za-z0-9._~+/-]{16,}=*)", 1),
    # its Basic Auth rule refuses a password with `!`, `$`, `&`... in it
    ("url_password", r"[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s\"\\]+:([^@/\s\"\\]+)@", 1),
    (
        "url_secret",
        r"(?i)[?&;](?:password|passwd|pwd|pass|secret|client_secret|token|access_token"
        r"|refresh_token|api_?key|key|sig|signature|auth)=([^&#\s\"'<>]+)",
        1,
    ),
)


def _detector_rules() -> list[Rule]:
    """detect-secrets' own rules, private-key blocks first (they hold text other rules
    would match in part)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins import keyword
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.private_key import PrivateKeyDetector

    headers = "|".join(pattern.pattern for pattern in PrivateKeyDetector.denylist)
    rules = [
        Rule(
            _kind(PrivateKeyDetector.secret_type),
            re.compile(rf"(?:-----)?(?:{headers}){_PRIVATE_KEY_BODY}", re.ASCII),
            group=0,
        )
    ]
    mapping = get_mapping_from_secret_type_to_class()
    for secret_type in sorted(mapping):
        plugin = mapping[secret_type]
        if plugin is PrivateKeyDetector or plugin.__name__ in _NOT_CREDENTIALS:
            continue
        if issubclass(plugin, RegexBasedDetector):
            extend = _JWT_CHARACTERS if plugin.__name__ == "JwtTokenDetector" else ""
            rules.extend(
                Rule(
                    _kind(secret_type),
                    _ascii(pattern, re.MULTILINE),
                    extend=extend,
                )
                for pattern in plugin.denylist
            )
    # the keyword rules for quoted values (what it applies to Python, JavaScript, Java...)
    rules.extend(
        Rule(_kind(keyword.KeywordDetector.secret_type), _ascii(pattern), group=group)
        for pattern, group in keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP.items()
    )
    return rules


@cache
def rules() -> tuple[Rule, ...]:
    extra = (Rule(kind, re.compile(regex, re.ASCII), group) for kind, regex, group in EXTRA_RULES)
    return (*_detector_rules(), *extra)


@cache
def kinds() -> tuple[str, ...]:
    return tuple(dict.fromkeys(rule.kind for rule in rules()))


# Strings shorter than this hold no credential of their own.
_SHORTEST_SECRET = 8


def _spans(
    text: str, mask: Sequence[bool] | None, parts: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int, str]]:
    """Every secret's span in `text` with its kind; a value is claimed by the first rule.

    Each rule runs over the whole text (a keyword and its quoted value are two JSON
    strings), then over each of `parts` (the JSON strings) alone: a detector's greedy `.+`
    over a whole line would stop at its last match and pass over the ones before it.
    `mask` (from `secret_rule_mask`) skips the rules that cannot match.
    """
    taken: list[tuple[int, int, str]] = []

    def claim(start: int, end: int, kind: str) -> None:
        if not any(start < t_end and t_start < end for t_start, t_end, _ in taken):
            taken.append((start, end, kind))

    for index, rule in enumerate(rules()):
        if mask is not None and not mask[index]:
            continue
        for start, end in rule.secret_spans(text):
            claim(start, end, rule.kind)
        for part_start, part_end in parts:
            if part_end - part_start >= _SHORTEST_SECRET:
                for start, end in rule.secret_spans(text[part_start:part_end]):
                    claim(part_start + start, part_start + end, rule.kind)
    return sorted(taken)


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    pieces, copied = [], 0
    for start, end, kind in sorted(spans):
        if start < copied:  # overlaps a piece already replaced
            continue
        pieces.extend((text[copied:start], f"[REDACTED:{kind}]"))
        copied = end
    pieces.append(text[copied:])
    return "".join(pieces)


def redact_json_text(text: str, mask: Sequence[bool] | None = None) -> tuple[str, Counter[str]]:
    """`text` (a JSON line, or what is left of one) with every secret replaced inside the
    string it lies in, and the count per kind."""
    view = json_strings.decode(text)
    replaced: list[tuple[int, int, str]] = []
    found: Counter[str] = Counter()
    for start, end, kind in _spans(view.text, mask, view.view_strings):
        pieces = view.pieces(text, view.original_offset(start), view.original_offset(end))
        replaced.extend((piece_start, piece_end, kind) for piece_start, piece_end in pieces)
        found[kind] += bool(pieces)
    return _replace(text, replaced), +found


def redact_text(text: str) -> str:
    """Plain text (an alert, an error message) with every secret replaced."""
    return _replace(text, _spans(text, None))


# Rules per RE2 pattern of the candidate filter: one union of every rule outgrew RE2's DFA
# (4x slower than the unions of about ten it is split into).
_RULES_PER_CANDIDATE_PATTERN = 10


@cache
def _widened() -> tuple[str, ...]:
    """Each rule as an RE2 pattern matching at least what it matches."""
    patterns = []
    for rule in rules():
        try:
            patterns.append(re2_superset(rule.pattern))
        except UntranslatableError:
            patterns.append("(?s:.)")  # every line is a candidate: slower, never leakier
    return tuple(patterns)


def _literal(pattern: str) -> str:
    return "'" + pattern.replace("'", "''") + "'"


def _may_hold_secret_sql(column: str) -> str:
    widened = _widened()
    unions = [
        "|".join(f"(?:{pattern})" for pattern in widened[i : i + _RULES_PER_CANDIDATE_PATTERN])
        for i in range(0, len(widened), _RULES_PER_CANDIDATE_PATTERN)
    ]
    return "(" + " or ".join(f"regexp_matches({column}, {_literal(u)})" for u in unions) + ")"


def _secret_rule_mask_sql(column: str) -> str:
    return "[" + ", ".join(f"regexp_matches({column}, {_literal(p)})" for p in _widened()) + "]"


# A call of either filter function on a column, in a query of sql/.
_FILTER_CALL = re.compile(r"\b(may_hold_secret|secret_rule_mask)\((\w+)\)")


@cache
def with_secret_filter(sql: str, *, enabled: bool) -> str:
    """`sql` with its calls of the redaction filter expanded into SQL generated from `rules()`.

    `may_hold_secret(c)` is true where some rule may find a secret in `c` (a line
    `roughly_decoded`, sql/macros.sql), and `secret_rule_mask(c)` is a list of booleans, one
    per rule (may that rule match? Python runs only those). Disabled, no line is a candidate.
    Their patterns come from detect-secrets (an upgrade changes them), so they cannot be
    written in a file; they are expanded here rather than created as DuckDB macros because
    CREATE MACRO binds its body, which compiles the rules' RE2 patterns (about fifty) again on
    every connection (10 ms a batch: several percent of parsing a 5,000-document MongoDB batch).
    """

    def expand(call: re.Match[str]) -> str:
        name, column = call.groups()
        if not enabled:
            return "false" if name == "may_hold_secret" else "null::boolean[]"
        if name == "may_hold_secret":
            return _may_hold_secret_sql(column)
        return _secret_rule_mask_sql(column)

    return _FILTER_CALL.sub(expand, sql)
