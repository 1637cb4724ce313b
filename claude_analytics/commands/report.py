"""`claude-analytics report daily|weekly|monthly|session|blocks` (`--by user|machine|project|
branch|model`) and the summaries `agents|tools|mcp|commands|cache|errors`: usage in the
terminal."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from claude_analytics.core.config import Settings, load_settings, local_timezone
from claude_analytics.core.serving.insight_reports import (
    SPECS,
    InsightOptions,
    InsightReport,
    build_insight_report,
)
from claude_analytics.core.serving.reports import (
    Breakdown,
    Report,
    ReportError,
    ReportKind,
    ReportOptions,
    build_report,
)
from claude_analytics.core.serving.snapshot import snapshot_path

HEADERS = (
    ("input_tokens", "Input"),
    ("output_tokens", "Output"),
    ("cache_creation_input_tokens", "Cache\ncreate"),
    ("cache_read_input_tokens", "Cache\nread"),
    ("total_tokens", "Total\ntokens"),
    ("cost_usd", "Cost\n(USD)"),
)
NARROW_TERMINAL = 100


def _day(value: str | None) -> date | None:
    """YYYY-MM-DD, or YYYYMMDD as ccusage accepts."""
    if value is None:
        return None
    for layout in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(value, layout).date()
        except ValueError:
            continue
    raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD or YYYYMMDD)")


def short_model(model: str) -> str:
    """claude-sonnet-4-5-20250929 -> sonnet-4-5, the way people say it."""
    return re.sub(r"-\d{8}$", "", model.removeprefix("claude-"))


def _figures(figures: dict[str, float | int]) -> list[str]:
    return [
        f"${figures[key]:,.2f}" if key == "cost_usd" else f"{int(figures[key]):,}"
        for key, _ in HEADERS
    ]


def render_table(report: Report, console: Console) -> None:
    options = report.options
    kind = options.kind
    title = f"Claude Code usage: {kind.value} report ({options.timezone} days)"
    if options.project:
        title += f", projects matching {options.project!r}"
    if options.user:
        title += f", users matching {options.user!r}"
    split = options.split_by.value if options.split_by else "model"
    table = Table(title=title)
    first = {"session": "Session", "blocks": "Block start"}.get(kind.value, "Period")
    table.add_column(first, no_wrap=True, min_width=10)
    # A narrow terminal drops the model list (as ccusage's compact mode does); the
    # --breakdown lines still name each model.
    second_column = kind is ReportKind.blocks or console.width >= NARROW_TERMINAL
    if second_column:
        table.add_column("Ends" if kind is ReportKind.blocks else "Models", min_width=6)
    lines: list[tuple[str, str, list[str], str | None]] = []
    for row in report.rows:
        if kind is ReportKind.blocks:
            second = str(row.extra.get("end", ""))[11:]
        else:
            second = "\n".join(short_model(m) for m in row.models)
        label = row.period[:8] + "…" if kind is ReportKind.session else row.period
        lines.append((label, second, _figures(row.figures), None))
        for part in row.breakdown:
            name = short_model(part[split]) if split == "model" else str(part[split])
            lines.append(("", f"└ {name}", _figures(part), "dim"))
    total = _figures(report.totals)
    for index, (_, header) in enumerate(HEADERS):
        width = max([len(total[index]), 6] + [len(line[2][index]) for line in lines])
        table.add_column(header, justify="right", no_wrap=True, min_width=width)
    for label, second, figures, style in lines:
        if second_column:
            table.add_row(label, second, *figures, style=style)
        else:
            table.add_row(second.strip() if style else label, *figures, style=style)
    table.add_section()
    table.add_row("Total", *([""] if second_column else []), *total, style="bold")
    console.print(table)
    unpriced = int(report.totals.get("unpriced_tokens", 0))
    if unpriced:
        console.print(
            f"[bold yellow]{unpriced:,} tokens have no price[/] and are not in the cost: "
            f"{', '.join(report.unpriced_models)}. Add them to price_overrides.csv in the "
            "analytics home (README: Prices)."
        )


def report(
    kind: Annotated[ReportKind, typer.Argument(help="How to group the usage.")],
    since: Annotated[str | None, typer.Option(help="First day, inclusive (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day, inclusive (YYYY-MM-DD).")] = None,
    project: Annotated[
        str | None, typer.Option(help="Only projects whose id contains this.")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA zone days and weeks are cut in (default: this machine's)."),
    ] = None,
    breakdown: Annotated[bool, typer.Option(help="One line per model under each period.")] = False,
    by: Annotated[
        str | None,
        typer.Option(
            help="Split each period by user, machine, project, branch or model "
            "(report cache: by model, project, user or day)."
        ),
    ] = None,
    user: Annotated[str | None, typer.Option(help="Only users whose id contains this.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Tokens (input, output, cache create, cache read, total) and cost, from the snapshot;
    agents, tools, mcp, commands, cache and errors summarise their marts over UTC days."""
    path = snapshot_path(load_settings())
    try:
        if kind in SPECS:
            options = InsightOptions(kind, _day(since), _day(until), project, user, by)
            insight = build_insight_report(path, options)
        else:
            split = _breakdown(by)
            token_options = ReportOptions(
                kind=kind,
                since=_day(since),
                until=_day(until),
                project=project,
                timezone=timezone or local_timezone(),
                breakdown=breakdown,
                by=split,
                user=user,
            )
            result = build_report(path, token_options)
    except (ReportError, FileNotFoundError) as error:
        Console(stderr=True).print(f"[red]{error}[/]")
        raise typer.Exit(2) from error
    if kind in SPECS:
        if as_json:
            typer.echo(json.dumps(insight.as_json(), indent=2, default=str))
        else:
            render_insight_table(insight, Console())
    elif as_json:
        typer.echo(json.dumps(result.as_json(), indent=2, default=str))
    else:
        render_table(result, Console())


def _breakdown(value: str | None) -> Breakdown | None:
    if value is None:
        return None
    try:
        return Breakdown(value)
    except ValueError:
        choices = ", ".join(b.value for b in Breakdown)
        raise ReportError(f"--by takes {choices}, not {value!r}") from None


def _insight_cell(value: object, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "usd":
        return f"${float(value):,.2f}"  # type: ignore[arg-type]
    if kind == "share":
        return f"{float(value):.1%}"  # type: ignore[arg-type]
    if kind in ("count", "tokens"):
        return f"{round(float(value)):,}"  # type: ignore[arg-type]
    return str(value)


def render_insight_table(report: InsightReport, console: Console) -> None:
    """One line per row of the summary; errors list each class once, its messages below."""
    options, spec = report.options, report.spec
    title = f"{spec.title} (UTC days"
    if options.since or options.until:
        title += f", {options.since or '…'} to {options.until or '…'}"
    title += ")"
    table = Table(title=title)
    columns = spec.columns
    for column in columns:
        header = column.header or (options.by or "model").capitalize()
        justify = "left" if column.kind == "text" else "right"
        table.add_column(header, justify=justify, overflow="fold")
    for row in report.rows:
        cells = [_insight_cell(row.get(c.name), c.kind) for c in columns]
        if options.kind is ReportKind.errors and row["class_rank"] > 1:
            cells[:3] = ["", "", ""]
        table.add_row(*cells)
    if report.totals:
        table.add_section()
        table.add_row(
            *(
                "Total"
                if index == 0
                else _insight_cell(report.totals.get(c.name), c.kind)
                if c.name in report.totals
                else ""
                for index, c in enumerate(columns)
            ),
            style="bold",
        )
    console.print(table)


def print_serving_locations(settings: Settings, console: Console) -> None:
    """What `make run` ends with: where readers find the snapshot and the dashboard."""
    from claude_analytics.core.serving.dashboard import dashboard_path  # plotly: only when needed

    snapshot, page = snapshot_path(settings), dashboard_path(settings)
    if snapshot.exists():
        console.print(
            f"Serving snapshot: [bold]{snapshot}[/] (Metabase, notebooks, reports)", soft_wrap=True
        )
    if page.exists():
        console.print(f"Dashboard:        [bold]{page.as_uri()}[/]", soft_wrap=True)
        console.print(
            "Reports:          claude-analytics report daily|weekly|monthly|session|blocks"
            " [--by user|machine|project|branch|model]"
        )
        console.print(
            "                  claude-analytics report agents|tools|mcp|commands|cache|errors"
        )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
