"""Benchmark data sets: generated once per (entries, seed, start, days), reused afterwards.

Generating a million entries takes about a minute, so every data set is written into a
cache folder keyed by its spec and marked complete only after the last file is written;
an interrupted generation is thrown away and redone, never half reused.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from claude_analytics.core.sources.sample.generator import (
    DEFAULT_DAYS,
    DEFAULT_SEED,
    SampleSpec,
    generate,
)

DEFAULT_CACHE = Path(__file__).resolve().parents[1] / ".benchmarks" / "data"

# The increment is generated with its own seed (new sessions, new files) and lands after a
# gap of two days: the JSONL extract re-reads files written in the day before its window,
# so without the gap the increment would re-read the history's last day.
INCREMENT_SEED = DEFAULT_SEED + 1
INCREMENT_GAP_DAYS = 2
INCREMENT_DAYS = 1
# The bundled sample's size (`make run`), for the README's one-day materialisation.
README_SAMPLE_ENTRIES = 3_000


@dataclass(frozen=True)
class DataSet:
    root: Path
    spec: SampleSpec

    @property
    def first_day(self) -> date:
        return self.spec.start

    @property
    def last_day(self) -> date:
        return self.spec.start + timedelta(days=self.spec.days - 1)

    def window(self) -> tuple[str, str]:
        """First and last day (inclusive) holding entries, as the stages take them.

        Sessions that start on the last day may run past midnight into the next one.
        """
        return self.first_day.isoformat(), (self.last_day + timedelta(days=1)).isoformat()


def _key(spec: SampleSpec) -> str:
    return f"entries-{spec.entries}-seed-{spec.seed}-start-{spec.start}-days-{spec.days}"


def cached(spec: SampleSpec, cache: Path = DEFAULT_CACHE) -> DataSet:
    """The data set for `spec`, generated into the cache on first use."""
    root = cache / _key(spec)
    marker = root / ".complete"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root / "projects", spec)
        marker.write_text("complete\n")
    return DataSet(root=root / "projects", spec=spec)


# An ISO timestamp's date, as Claude Code writes it (`"timestamp":"2026-11-03T09:12:...`).
_ISO_DATE = re.compile(rb'"(20[0-9]{2}-[0-9]{2}-[0-9]{2})T')


def redated(source: DataSet, days: int, cache: Path = DEFAULT_CACHE) -> DataSet:
    """The same entries as `source`, their sessions spread over `days` days ending on the
    source's last day: every byte of every line is kept but its timestamps' dates, each
    session (its file and its subagents' files) moved back by a whole number of days.

    The long-history benchmark compares it with `source` itself: the same work, dated over
    a long calendar, must cost about the same.
    """
    spec = replace(source.spec, start=source.last_day - timedelta(days=days - 1), days=days)
    root = cache / f"{_key(source.spec)}-redated-over-{days}-days"
    marker = root / ".complete"
    if marker.exists():
        return DataSet(root=root / "projects", spec=spec)
    shutil.rmtree(root, ignore_errors=True)
    spread = days - source.spec.days
    for path in sorted(source.root.rglob("*.jsonl")):
        relative = path.relative_to(source.root)
        # a session's file is <project>/<session>.jsonl, its subagents' <project>/<session>/...
        session = relative.parts[0] + "/" + relative.parts[1].removesuffix(".jsonl")
        shift = timedelta(days=-(int(hashlib.md5(session.encode()).hexdigest(), 16) % (spread + 1)))
        target = root / "projects" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_ISO_DATE.sub(partial(_shifted, shift=shift), path.read_bytes()))
        stat = path.stat()
        moved = stat.st_mtime + shift.total_seconds()
        os.utime(target, (moved, moved))
    marker.write_text("complete\n")
    return DataSet(root=root / "projects", spec=spec)


def _shifted(match: re.Match[bytes], shift: timedelta) -> bytes:
    day = date.fromisoformat(match.group(1).decode()) + shift
    return b'"' + day.isoformat().encode() + b"T"


def history_spec(entries: int, seed: int = DEFAULT_SEED) -> SampleSpec:
    return SampleSpec(entries=entries, seed=seed, days=DEFAULT_DAYS)


def increment_spec(history: SampleSpec, entries: int) -> SampleSpec:
    """New sessions on a day after the history, from a seed of their own."""
    start = history.start + timedelta(days=history.days + INCREMENT_GAP_DAYS)
    return SampleSpec(entries=entries, seed=INCREMENT_SEED, start=start, days=INCREMENT_DAYS)


def copy_tree(source: Path, target: Path) -> None:
    """Copy files keeping their mtimes (the JSONL extract selects files by mtime)."""
    shutil.copytree(source, target, dirs_exist_ok=True)
