"""Where a command-line run's own output goes: Dagster's and dbt's logs into a file, the
progress display on the terminal.

dbt prints a line per node, Dagster one per event and the libraries their warnings, all on
the process's stdout and stderr (dbt's through Dagster, Dagster's compute-log capture
mirrors the file descriptors themselves). A person follows the run better on a progress
display with the full text kept in a file, so the file descriptors 1 and 2 are pointed at
the log for the run, and the display writes to a copy of the terminal's descriptor.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from claude_analytics.core.config import Settings


def run_log_path(settings: Settings, name: str, now: datetime | None = None) -> Path:
    """`$CLAUDE_ANALYTICS_HOME/logs/<job>-<UTC time>.log`: one file per run, never reused."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return settings.home / "logs" / f"{name}-{stamp}.log"


def _descriptors() -> tuple[int, int] | None:
    """stdout's and stderr's descriptors, or None where they are not real files (a test
    runner's in-memory streams)."""
    try:
        return sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return None


@contextlib.contextmanager
def output_into(log_path: Path) -> Iterator[TextIO]:
    """Everything written to stdout and stderr in the block (by this process and the
    processes it starts) goes to `log_path`; yields the stream that still reaches the
    terminal."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8", buffering=1) as log:
        descriptors = _descriptors()
        if descriptors is None:
            screen = sys.stdout
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                yield screen
            return
        sys.stdout.flush()
        sys.stderr.flush()
        saved = [os.dup(fd) for fd in descriptors]
        screen = io.TextIOWrapper(
            os.fdopen(os.dup(saved[0]), "wb", buffering=0),
            encoding=sys.stdout.encoding or "utf-8",
            line_buffering=True,
        )
        try:
            for fd in descriptors:
                os.dup2(log.fileno(), fd)
            yield screen
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in zip(descriptors, saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)
            screen.close()
