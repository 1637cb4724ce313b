"""`claude-analytics dead-letters`: what could not be used, by reason, with examples."""

from __future__ import annotations

from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from claude_analytics.core.config import load_settings
from claude_analytics.core.sql_files import read_sql

console = Console()


def dead_letters(
    examples: Annotated[int, typer.Option(help="Also show this many raw texts (redacted).")] = 0,
) -> None:
    """Dead letters per reason in the warehouse, read from a read-only connection."""
    settings = load_settings()
    if not settings.duckdb_path.exists():
        console.print(f"[yellow]No warehouse at {settings.duckdb_path} yet: run the pipeline.[/]")
        raise typer.Exit(0)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        rows = con.execute(read_sql(__package__, "dead_letter_summary")).fetchall()
        samples = con.execute(
            read_sql(__package__, "dead_letter_samples"), {"examples": examples}
        ).fetchall()
    table = Table(title=f"Dead letters ({sum(r[1] for r in rows):,})")
    for column in ("reason", "letters", "first day", "last day", "example location"):
        table.add_column(column, justify="right" if column == "letters" else "left")
    for reason, letters, first_day, last_day, example in rows:
        table.add_row(reason, f"{letters:,}", str(first_day), str(last_day), example or "")
    console.print(table)
    for reason, source_file, line_number, text in samples:
        console.print(f"[bold]{reason}[/] {source_file}:{line_number}\n  {text!r}")


def register(app: typer.Typer) -> None:
    app.command("dead-letters")(dead_letters)
