"""`claude-analytics`: run the platform, generate sample data, inspect results.

Every command lives in its own module under `claude_analytics/commands/` and names itself
there (`register(app)`); this list decides the order `--help` shows them in.
"""

from __future__ import annotations

import typer

from claude_analytics.commands import (
    backup,
    dead_letters,
    demo,
    doctor,
    jobs,
    mongo_sync,
    prepare,
    report,
    run,
    status,
)

COMMAND_MODULES = (
    report,
    demo,
    prepare,
    mongo_sync,
    dead_letters,
    backup,
    doctor,
    jobs,
    run,
    status,
)

app = typer.Typer(
    help="Claude Code conversation analytics on Dagster, Iceberg, DuckDB and dbt.",
    no_args_is_help=True,
)
for _module in COMMAND_MODULES:
    _module.register(app)


if __name__ == "__main__":
    app()
