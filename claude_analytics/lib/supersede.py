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

from claude_analytics.lib.lake import window_filter


def superseded_letters(
    dead_letters: Table, start: date, end: date, entry_ids: list[pa.Array]
) -> list[str]:
    """Ids of dead letters dated outside [start, end) that are now among the entries."""
    if not entry_ids or dead_letters.current_snapshot() is None:
        return []
    outside = dead_letters.scan(
        row_filter=Not(window_filter(start, end)), selected_fields=("entry_id",)
    ).to_arrow()["entry_id"]
    entries = pa.chunked_array(entry_ids, pa.string()).combine_chunks()
    return pc.filter(outside, pc.is_in(outside, value_set=entries)).to_pylist()
