"""A JSON text with its string values decoded in place, and the way back to its offsets.

Credential rules look for word boundaries, line starts and quotes as a reader of the value
sees them. In a stored line a newline inside a string is the two characters `\\n`, so a
key at the start of a line of Bash output follows the letter `n` and a `\\b` before it
fails. The decoded view holds the real characters; a match found in it is mapped back to
the stored text and replaced there, so the rest of the line stays byte for byte as written.
Lines that are not JSON (dead letters) decode the same way, string by string, as far as
their strings go.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# A string literal: its content, to its closing quote or (a cut line) to the end.
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"?', re.S)
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.S)
_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


@dataclass(frozen=True)
class DecodedView:
    """`text` is the decoded view; the rest maps its offsets back to the original."""

    text: str
    # view offset of each escape, and the original characters it stood for minus one
    escape_at: list[int]
    extra_before: list[int]  # cumulative extra length up to and including each escape
    # original [start, end) of each string's content, in order, and the same in the view
    strings: list[tuple[int, int]]
    view_strings: list[tuple[int, int]]

    def original_offset(self, view_offset: int) -> int:
        """The original offset of a view offset (a start or an exclusive end)."""
        index = bisect.bisect_left(self.escape_at, view_offset)
        return view_offset + (self.extra_before[index - 1] if index else 0)

    def pieces(self, original: str, start: int, end: int) -> list[tuple[int, int]]:
        """The parts of the original span [start, end) that may be replaced: inside strings,
        and between them only where no quote is crossed (a quote or the structure between
        two strings — `", "` — stays, so the JSON stays valid). A key whose lines are the
        elements of an array (a patch's lines) is replaced element by element."""
        first = max(bisect.bisect_right(self.strings, (start, float("inf"))) - 1, 0)
        out: list[tuple[int, int]] = []
        cursor = start

        def gap(until: int) -> None:
            if cursor < until and '"' not in original[cursor:until]:
                out.append((cursor, until))

        for string_start, string_end in self.strings[first:]:
            if string_start >= end:
                break
            if string_end < cursor:
                continue  # the string before the span
            gap(string_start)
            low, high = max(string_start, cursor), min(string_end, end)
            if high > low:
                out.append((low, high))
            cursor = max(cursor, high)
        gap(end)
        return out


def decode(text: str) -> DecodedView:
    """The view of `text` with every escape inside its strings decoded to its character."""
    pieces: list[str] = []
    escape_at: list[int] = []
    extra_before: list[int] = []
    strings: list[tuple[int, int]] = []
    view_strings: list[tuple[int, int]] = []
    extra = 0
    copied = 0
    for literal in _LITERAL.finditer(text):
        start, end = literal.span(1)
        strings.append((start, end))
        view_start = start - extra
        if "\\" not in literal.group(1):
            view_strings.append((view_start, end - extra))
            continue
        for escape in _ESCAPE.finditer(text, start, end):
            pieces.append(text[copied : escape.start()])
            hex_code, simple = escape.groups()
            decoded = chr(int(hex_code, 16)) if hex_code else _SIMPLE_ESCAPES.get(simple, simple)
            pieces.append(decoded)
            copied = escape.end()
            escape_at.append(escape.start() - extra)
            extra += len(escape.group()) - 1
            extra_before.append(extra)
        view_strings.append((view_start, end - extra))
    pieces.append(text[copied:])
    return DecodedView("".join(pieces), escape_at, extra_before, strings, view_strings)


# A `\uXXXX` surrogate escape, paired or not, and every other escape (so an escaped
# backslash before a `u` is never read as the start of one).
_SURROGATE_OR_ESCAPE = re.compile(
    r"\\(?:(u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})|(u[dD][89a-fA-F][0-9a-fA-F]{2})|.)",
    re.S,
)


def replace_lone_surrogates(text: str) -> str:
    """`text` with each unpaired surrogate escape (`\\ud800`) turned into `\\ufffd`.

    JavaScript's JSON.parse accepts a lone surrogate, so Claude Code keeps such an entry
    (JSON.stringify writes one that way), and Node writes it out as U+FFFD; DuckDB's
    parser rejects it. Pairs (an emoji) and every other escape stay as they are.
    """

    return _SURROGATE_OR_ESCAPE.sub(
        lambda escape: "\\ufffd" if escape.group(2) else escape.group(), text
    )
