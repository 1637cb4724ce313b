"""`core/files.py`: a file written beside its place and swapped in, or left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_analytics.core.files import replacing, staging_path, write_text_atomically


def test_a_clean_exit_swaps_the_new_file_in_and_leaves_no_staging_file(tmp_path: Path) -> None:
    target = tmp_path / "served" / "page.html"
    with replacing(target) as staging:
        assert staging.parent == target.parent, "a rename across folders is not atomic"
        assert staging.name.startswith(".page.html.") and staging.name.endswith(".tmp")
        staging.write_text("new")
        assert not target.exists(), "the target changed before the write finished"
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]


def test_an_error_keeps_the_old_file_and_deletes_staging_and_companions(tmp_path: Path) -> None:
    target = tmp_path / "analytics.duckdb"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="copy failed"), replacing(target, (".wal",)) as staging:
        staging.write_text("half")
        Path(f"{staging}.wal").write_text("log")
        raise RuntimeError("copy failed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analytics.duckdb"]


def test_a_reader_holding_the_old_file_keeps_reading_it(tmp_path: Path) -> None:
    target = tmp_path / "snapshot.txt"
    target.write_text("old")
    with target.open() as reader:
        write_text_atomically(target, "new")
        assert reader.read() == "old"
    assert target.read_text() == "new"


def test_staging_names_never_collide(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    assert len({staging_path(target) for _ in range(100)}) == 100
