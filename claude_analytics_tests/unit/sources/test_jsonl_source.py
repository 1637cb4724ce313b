"""The JSONL source's batches: every non-blank line, numbered as in its file, with its id."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.compute as pc

from claude_analytics.core.contracts import DateWindow
from claude_analytics.core.sources.jsonl import JsonlDirectorySource

WINDOW = DateWindow(date(2025, 1, 1), date(2999, 1, 1))


def test_lines_ids_and_provenance_match_a_line_by_line_reading(tmp_path: Path) -> None:
    files = {
        "proj-a/s1.jsonl": b'{"a":1}\r\n  \n\xff\xfe\n\n{}\n\t\n[1]',
        "proj-a/s1/subagents/agent-1.jsonl": b'{"b":2}\n',
        "proj-b/s2.jsonl": b"\n\n",
        "top.jsonl": b'{"c":3}\n{"d":4}\n',
    }
    for relative, content in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(content)
    expected = sorted(
        (
            hashlib.md5(f"{relative}:{number}".encode()).hexdigest(),
            relative,
            number,
            relative.split("/", 1)[0] if "/" in relative else "",
            raw,
        )
        for relative, content in files.items()
        for number, raw in enumerate(content.split(b"\n"), start=1)
        if raw.strip()
    )
    source = JsonlDirectorySource(root=tmp_path, batch_bytes=20)
    batches = list(source.iter_batches(WINDOW))
    assert len(batches) > 1  # the small batch size splits the directory
    columns = ("entry_id", "source_file", "line_number", "project_id", "line")
    got = sorted(
        row for b in batches for row in zip(*(b[c].to_pylist() for c in columns), strict=True)
    )
    assert got == expected
    mtime = datetime.fromtimestamp((tmp_path / "top.jsonl").stat().st_mtime, UTC)
    top = next(b for b in batches if "top.jsonl" in b["source_file"].to_pylist())
    assert set(
        top.filter(pc.equal(top["source_file"], "top.jsonl"))["ingested_at"].to_pylist()
    ) == {mtime}
