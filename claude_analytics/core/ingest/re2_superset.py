"""Translate a Python regular expression into an RE2 one that matches at least as much.

Redaction selects candidate lines in DuckDB, whose regular expressions are RE2: set-based
and parallel over a whole batch, where Python's `re` would loop over every line. The rules
themselves are Python patterns (detect-secrets ships them so), with lookarounds and
back-references RE2 lacks. The candidate filter only has to keep every line a rule could
match, so each construct RE2 lacks is widened: lookarounds and anchors are dropped, a
back-reference becomes a copy of its group, lazy and possessive repeats become plain ones,
Unicode classes take in every non-ASCII character. The exact rule runs afterwards in Python.
"""

from __future__ import annotations

import re
import re._constants as sre  # the parse tree's opcodes (the stdlib's own parser, below)
import re._parser as sre_parse

# RE2 rejects repeat counts above 1000; a larger bound widens to "no bound".
_RE2_MAX_REPEAT = 1000
# Python's Unicode classes match non-ASCII characters RE2's ASCII ones do not: patterns
# compiled with re.ASCII translate exactly (and keep the DFA small), others are widened.
_NON_ASCII = r"\x{80}-\x{10FFFF}"
_UNICODE_CATEGORY = {
    sre.CATEGORY_DIGIT: rf"\d{_NON_ASCII}",
    sre.CATEGORY_WORD: rf"\w{_NON_ASCII}",
    sre.CATEGORY_SPACE: rf"\s\x0b\x1c-\x1f{_NON_ASCII}",
}
_CATEGORY = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_SPACE: r"\s\x0b",  # Python's \s holds the vertical tab, RE2's does not
    # the negated classes of RE2 already hold every non-ASCII character
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_NOT_WORD: r"\W",
    sre.CATEGORY_NOT_SPACE: r"\S",
}
_ANY = r"(?s:.)"


class UntranslatableError(ValueError):
    """A construct this translator does not know; the caller falls back to "match all"."""


def _char(code: int) -> str:
    """One character, escaped when RE2 could read it as syntax."""
    char = chr(code)
    if char.isalnum() and code < 128:
        return char
    if code < 32 or code == 127:
        return rf"\x{{{code:x}}}"
    return re.escape(char) if code < 128 else char


def _klass(items: list, ascii_only: bool) -> str:
    negated = bool(items) and items[0][0] is sre.NEGATE
    parts = []
    for op, value in items[1:] if negated else items:
        if op is sre.LITERAL:
            parts.append(_char(value))
        elif op is sre.RANGE:
            parts.append(f"{_char(value[0])}-{_char(value[1])}")
        elif op is sre.CATEGORY:
            if negated:
                # "not (a Unicode class)" cannot be widened inside one class
                return _ANY
            parts.append((_CATEGORY if ascii_only else _UNICODE_CATEGORY | _CATEGORY)[value])
        else:
            raise UntranslatableError(f"class item {op}")
    return f"[{'^' if negated else ''}{''.join(parts)}]"


def _repeat(low: int, high: int, body: str) -> str:
    low = min(low, _RE2_MAX_REPEAT)
    if high is sre.MAXREPEAT or high > _RE2_MAX_REPEAT:
        bound = {0: "*", 1: "+"}.get(low, f"{{{low},}}")
    elif (low, high) == (0, 1):
        bound = "?"
    else:
        bound = f"{{{low},{high}}}" if low != high else f"{{{low}}}"
    return f"(?:{body}){bound}"


def _translate(items, groups: dict[int, object], ascii_only: bool) -> str:
    def inner(body) -> str:
        return _translate(body, groups, ascii_only)

    out = []
    for op, value in items:
        if op is sre.LITERAL:
            out.append(_char(value))
        elif op is sre.NOT_LITERAL:
            out.append(f"[^{_char(value)}]")
        elif op is sre.ANY:
            out.append(_ANY)
        elif op is sre.IN:
            out.append(_klass(value, ascii_only))
        elif op is sre.BRANCH:
            out.append("(?:" + "|".join(inner(branch) for branch in value[1]) + ")")
        elif op is sre.SUBPATTERN:
            group, add_flags, _, body = value
            if group is not None:
                groups[group] = body
            flags = "i" if add_flags & re.IGNORECASE else ""
            out.append(f"(?{flags}:{inner(body)})")
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, body = value
            out.append(_repeat(low, high, inner(body)))
        elif op is sre.ATOMIC_GROUP:
            out.append(f"(?:{inner(value)})")
        elif op is sre.GROUPREF:
            out.append(f"(?:{inner(groups[value])})")
        elif op is sre.GROUPREF_EXISTS:
            _, yes, no = value
            branches = [inner(yes), inner(no) if no else ""]
            out.append("(?:" + "|".join(branches) + ")")
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # anchors, boundaries and lookarounds only ever narrow a match
        else:
            raise UntranslatableError(f"opcode {op}")
    return "".join(out)


def re2_superset(pattern: re.Pattern[str]) -> str:
    """An RE2 pattern matching every text `pattern` finds a match in (and maybe more)."""
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    body = _translate(tree, {}, bool(pattern.flags & re.ASCII))
    return f"(?i){body}" if pattern.flags & re.IGNORECASE else body
