"""The page: the snapshot's panels drawn as charts and tables into page.html, written
atomically where the dashboard asset and `claude-analytics` say it is.

Python decides what is shown (figures, formatted cells, notes); the Jinja template decides
how, with autoescaping on, so no value from the data is ever written into the markup
unescaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pyarrow as pa
import pyarrow.compute as pc
from markupsafe import Markup
from plotly.io.json import to_json_plotly
from plotly.offline import get_plotlyjs

from claude_analytics.core.config import HomeLayout
from claude_analytics.core.files import write_text_atomically
from claude_analytics.core.serving.dashboard.charts import (
    RECENT_DAYS,
    SECTION_TABLES,
    SECTIONS,
    columns,
)
from claude_analytics.core.serving.dashboard.data import read_snapshot

TABLE_ROW_LIMIT = 50


def dashboard_path(settings: HomeLayout) -> Path:
    return settings.home / "dashboard" / "index.html"


@dataclass
class DashboardResult:
    path: Path
    charts: dict[str, int] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    bytes: int = 0
    # the user filter's people, and the charts it redraws for each
    users: list[str] = field(default_factory=list)
    user_charts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    """A table card's rows, formatted for reading; at most TABLE_ROW_LIMIT of them."""

    columns: list[str]
    cells: list[list[str]]


@dataclass(frozen=True)
class ChartCard:
    id: str
    title: str
    # what the panel's query lacks in the snapshot (the card says so instead of a chart)
    lacking: list[str] = field(default_factory=list)
    empty: bool = False
    # a chart the user filter does not redraw: marked "(all users)" when a person is picked
    unsplit: bool = False


@dataclass(frozen=True)
class TableCard:
    title: str
    everyone: Table | None
    # each person's table, when the panel splits by user (None: one table for everyone)
    per_user: dict[str, Table | None] | None = None


@dataclass(frozen=True)
class Section:
    title: str
    charts: list[ChartCard]
    tables: list[TableCard]


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(__package__, "."),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    # `tojson` serialises with Plotly's encoder (figures hold numpy arrays and dates) and
    # keeps the figures' key order; Jinja still escapes <, >, & and ' in the result.
    environment.policies["json.dumps_function"] = to_json_plotly
    environment.policies["json.dumps_kwargs"] = {}
    return environment


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✔" if value else "✘ failed"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def _table(table: pa.Table | None) -> Table | None:
    if table is None or table.num_rows == 0:
        return None
    data = columns(table.slice(0, TABLE_ROW_LIMIT))
    cells = [[_cell(v) for v in row] for row in zip(*data.values(), strict=True)]
    return Table(list(data), cells)


def _kpis(summary: Mapping[str, Any], extras: Mapping[str, Any]) -> list[tuple[str, str]]:
    def money(v: Any) -> str:
        return "–" if v is None else f"${float(v):,.2f}"

    def number(v: Any) -> str:
        return "–" if v is None else f"{int(v):,}"

    return [
        ("Total cost", money(summary.get("cost_usd"))),
        ("Total tokens", number(summary.get("total_tokens"))),
        ("Unpriced tokens", number(summary.get("unpriced_tokens"))),
        ("API responses", number(summary.get("api_responses"))),
        ("Sessions", number(summary.get("sessions"))),
        ("Days", f"{summary.get('first_date') or '–'} → {summary.get('last_date') or '–'}"),
        ("Days with data", number(summary.get("active_days"))),
        ("Dead letters", number(extras.get("dead_letters"))),
        ("Failed checks", number(extras.get("failed_checks"))),
    ]


def _unpriced_banner(unpriced: list[tuple[str, int, int]]) -> dict[str, Any] | None:
    """Tokens of models without a price are not in any cost on the page: say so first."""
    if not unpriced:
        return None
    return {
        "tokens": f"{sum(int(t) for _, _, t in unpriced):,}",
        "models": [(model, f"{int(t):,}") for model, _, t in unpriced],
    }


def render(snapshot: Path) -> tuple[str, DashboardResult]:
    """The page and what is on it (points per chart, panels waiting for a mart)."""
    data = read_snapshot(snapshot)
    tables, missing, summary = data.tables, data.missing, data.summary
    result = DashboardResult(path=Path())
    result.users = list(data.user_tables)
    split_panels = set().union(*(set(t) for t in data.user_tables.values()))
    # each figure as its plain dict at once (what pio.to_json serialises), not the Figure
    figures: dict[str, Any] = {}
    user_figures: dict[str, dict[str, Any]] = {user: {} for user in data.user_tables}
    sections: list[Section] = []
    for title, charts in SECTIONS:
        cards: list[ChartCard] = []
        for chart in charts:
            table = tables.get(chart.panel)
            lacking = missing.get(chart.panel, [])
            empty = not lacking and (table is None or table.num_rows == 0)
            if lacking or empty:
                result.missing[chart.id] = lacking or ["no rows"]
            elif table is not None:
                figures[chart.id] = chart.build(table).to_dict()
                result.charts[chart.id] = table.num_rows
                if chart.panel in split_panels:
                    result.user_charts.append(chart.id)
                    for user, own in data.user_tables.items():
                        part = own[chart.panel]
                        user_figures[user][chart.id] = (
                            chart.build(part).to_dict() if part.num_rows else None
                        )
            unsplit = chart.panel not in split_panels and bool(data.user_tables)
            cards.append(ChartCard(chart.id, chart.title, lacking, empty, unsplit))
        table_cards = [
            TableCard(
                table_title,
                _table(tables.get(panel)),
                {u: _table(t.get(panel)) for u, t in data.user_tables.items()}
                if panel in split_panels
                else None,
            )
            for panel, table_title in SECTION_TABLES.get(title, ())
        ]
        sections.append(Section(title, cards, table_cards))

    dead = tables.get("dead_letters")
    checks = tables.get("check_results")
    extras = {
        "dead_letters": (pc.sum(dead.column("entries")).as_py() or 0) if dead is not None else None,
        "failed_checks": (
            checks.num_rows - (pc.sum(checks.column("passed")).as_py() or 0)
            if checks is not None
            else None
        ),
    }
    days = int(summary.get("active_days") or 0)
    built = summary.get("built_at")
    page = (
        _environment()
        .get_template("page.html")
        .render(
            plotly_js=Markup(get_plotlyjs()),  # the library itself, as it is
            built=_cell(built) if built else "unknown",
            snapshot=str(snapshot),
            banner=_unpriced_banner(summary.get("unpriced", [])),
            kpi_cards=_kpis(summary, extras),
            user_kpi_cards={u: _kpis(s, extras) for u, s in data.user_summaries.items()},
            window={"shown": min(days, RECENT_DAYS), "days": days},
            users=result.users,
            sections=sections,
            figures=figures,
            user_figures=user_figures,
            missing=result.missing,
        )
    )
    return page, result


def build_dashboard(snapshot: Path, out: Path) -> DashboardResult:
    """Render the page and swap it in whole: a reader never sees half of it."""
    page, result = render(snapshot)
    write_text_atomically(out, page)
    result.path = out
    result.bytes = out.stat().st_size
    return result
