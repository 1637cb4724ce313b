"""`claude-analytics demo --out DIR`: the bundled sample as JSONL transcripts on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from claude_analytics.core.sources.sample.generator import (
    DEFAULT_DAYS,
    DEFAULT_SEED,
    DEFAULT_START,
    SampleSpec,
    generate,
)

console = Console()


def demo(
    out: Annotated[Path, typer.Option(help="Folder to write the transcripts into.")],
    entries: Annotated[int, typer.Option(help="Exact number of entries to write.")] = 2_000,
    seed: Annotated[int, typer.Option(help="Same seed, byte-identical files.")] = DEFAULT_SEED,
    days: Annotated[int, typer.Option(help="Days the sessions are spread over.")] = DEFAULT_DAYS,
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")] = DEFAULT_START.isoformat(),
) -> None:
    """Write realistic, deterministic Claude Code transcripts in the on-disk layout."""
    from datetime import date

    summary = generate(
        out, SampleSpec(entries=entries, seed=seed, start=date.fromisoformat(start), days=days)
    )
    console.print(f"Wrote {summary.entries} entries in {summary.files} files under {out}")
    for kind, count in summary.by_type.items():
        console.print(f"  {kind:<24} {count}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
