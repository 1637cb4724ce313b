"""Files that readers may open at any moment: written beside their final place, then
swapped in with `os.replace`.

A rename within one folder is atomic: a reader opens the old file or the new one, never
half of either, and a reader that already holds the old file keeps reading it (its inode
lives on). The serving snapshot, the dashboard page and a restored warehouse are all
written this way; a failed write leaves the previous file as it was and no staging file
behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def staging_path(target: Path) -> Path:
    """A hidden, unique name in `target`'s folder: the same file system, so the final
    `os.replace` is a rename, and two writers never share a staging file."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")


@contextmanager
def replacing(target: Path, companions: Sequence[str] = ()) -> Iterator[Path]:
    """Yield a staging path to write; on a clean exit it replaces `target` atomically.

    On an error the staging file is deleted, with `<staging><suffix>` for each suffix in
    `companions` (DuckDB writes `.wal` beside a database), and the error propagates.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_path(target)
    try:
        yield staging
        os.replace(staging, target)
    except BaseException:
        for leftover in (staging, *(Path(f"{staging}{suffix}") for suffix in companions)):
            leftover.unlink(missing_ok=True)
        raise


def write_text_atomically(target: Path, text: str, encoding: str = "utf-8") -> None:
    """`target.write_text(text)` that no reader can catch half-written."""
    with replacing(target) as staging:
        staging.write_text(text, encoding=encoding)
