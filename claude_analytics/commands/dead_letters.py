"""`claude-analytics dead-letters`: what could not be used, by reason, with examples."""

from __future__ import annotations

from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from claude_analytics.core.config import load_settings

console = Console()

_SUMMARY_SQL = """
    select
        reason,
        count(*) as letters,
        min(event_date) as first_day,
        max(event_date) as last_day,
        arg_min(source_file || coalesce(':' || line_number, ''), event_date) as example
    from raw.dead_letters
    group by reason
    order by letters desc, reason
"""


def dead_letters(
    examples: Annotated[int, typer.Option(help="Also show this many raw texts (redacted).")] = 0,
) -> None:
    """Dead letters per reason in the warehouse, read from a read-only connection."""
    settings = load_settings()
    if not settings.duckdb_path.exists():
        console.print(f"[yellow]No warehouse at {settings.duckdb_path} yet: run the pipeline.[/]")
        raise typer.Exit(0)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        rows = con.execute(_SUMMARY_SQL).fetchall()
        samples = con.execute(
            "select reason, source_file, line_number, left(raw_text, 200) from raw.dead_letters "
            "order by event_date desc, source_file, line_number limit $n",
            {"n": examples},
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
