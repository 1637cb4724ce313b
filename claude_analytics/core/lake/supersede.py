"""A line completed after it was dead-lettered replaces its dead letter, wherever it lies.

Claude Code appends to live files, so a run can read a half-written last line: it becomes
an `invalid_json` dead letter dated by its file's first entry, maybe days back. Once the
line is complete it is an entry dated today, and the hourly window (yesterday and today)
never revisits the old day, so the line would count twice, as an entry and a dead letter.
The JSONL id of a line is its file and line number, so the window's entries name exactly
the dead letters they supersede, in any partition.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.expressions import Not
from pyiceberg.table import Table

from claude_analytics.core.lake.catalog import window_filter


class SupersededLetters:
    """Collects, batch by batch, the window's entries that complete a dead letter dated
    outside the window.

    The dead letters outside the window are read once, before the extract, and each
    batch keeps only the entry ids among them: keeping every entry id of the window until
    the end held ~360 MB at 10M entries in the lake step, while the letters are a few.
    The extract writes only the entries table, so the letters read first are the ones
    the window's dead letters replace afterwards.
    """

    def __init__(self, dead_letters: Table, start: date, end: date) -> None:
        if dead_letters.current_snapshot() is None:
            self._outside = pa.array([], pa.string())
        else:
            self._outside = (
                dead_letters.scan(
                    row_filter=Not(window_filter(start, end)), selected_fields=("entry_id",)
                )
                .to_arrow()["entry_id"]
                .combine_chunks()
            )
        self._found: list[pa.Array] = []

    def add(self, entry_ids: pa.Array | pa.ChunkedArray) -> None:
        if len(self._outside):
            found = pc.filter(entry_ids, pc.is_in(entry_ids, value_set=self._outside))
            self._found.extend(found.chunks if isinstance(found, pa.ChunkedArray) else [found])

    def ids(self) -> list[str]:
        """Ids of dead letters dated outside the window that are now among the entries."""
        # each kept id is already one of the letters': the set of them is the answer
        return pc.unique(pa.chunked_array(self._found, pa.string())).to_pylist()
