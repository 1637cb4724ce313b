"""The offline dashboard: one HTML file, plotly.js inlined once, data read from the snapshot.

People open it from a file manager, a mail attachment or a CI artifact, with no server and
often no network, so nothing in it may load from elsewhere. After plotting, the page writes
a JSON status (points per chart, JavaScript errors) into `#dashboard-status`, which is what
the browser test reads.

Histories are long and sparse (a few busy weeks, then months without a session), so time
charts put only the days that have data on their axis, and open on the most recent of them;
a button shows the whole history.
"""

from __future__ import annotations

import html
import json
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import pyarrow as pa
import pyarrow.compute as pc
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from claude_analytics.core.config import HomeLayout
from claude_analytics.core.pricing.tables import sql
from claude_analytics.core.serving.queries import (
    PANELS,
    SNAPSHOT_INFO,
    SUMMARY_SQL,
    USER_SUMMARY_SQL,
    USERS_SQL,
    existing_relations,
    missing_for,
    query_parameters,
    splits_by_user,
)
from claude_analytics.core.serving.snapshot import open_snapshot

Columns = dict[str, list[Any]]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TABLE_ROW_LIMIT = 50
# The days (with data) the time charts open on; "All history" shows every one.
RECENT_DAYS = 30
# People the user filter offers (each adds a copy of the split charts to the page).
USER_FILTER_LIMIT = 25


def dashboard_path(settings: HomeLayout) -> Path:
    return settings.home / "dashboard" / "index.html"


def _plain(value: Any) -> Any:
    """DuckDB sums of decimals come back as Decimal, which JSON cannot carry."""
    return float(value) if isinstance(value, Decimal) else value


def _columns(table: pa.Table) -> Columns:
    return {
        name: [_plain(v) for v in table.column(name).to_pylist()] for name in table.column_names
    }


def _split(table: pa.Table, by: str) -> dict[str, pa.Table]:
    """One sub-table per distinct value: one trace per model, not one per row."""
    values = sorted(v for v in pc.unique(table.column(by)).to_pylist() if v is not None)
    return {str(v): table.filter(pc.equal(table.column(by), v)) for v in values}


def _layout(fig: go.Figure, y_title: str = "", x_title: str = "") -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 10, "b": 50},
        height=340,
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=y_title,
        xaxis_title=x_title,
    )
    return fig


def _labels(values: list[Any]) -> list[str]:
    """Days (and block starts) as text: a category axis holds only the days with data."""
    return [v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else str(v) for v in values]


def _days_axis(fig: go.Figure, labels: list[str]) -> go.Figure:
    """A category axis over the days that have data, opened on the most recent ones; the
    page's buttons switch between `meta.recent_range` and the whole axis."""
    count = len(set(labels))
    recent = [max(count - RECENT_DAYS, 0) - 0.5, count - 0.5]
    fig.update_xaxes(
        type="category",
        categoryorder="category ascending",
        range=recent,
        tickangle=-60,
        automargin=True,
    )
    fig.update_layout(meta={"recent_range": recent, "categories": count})
    return fig


def _stacked_by_model(table: pa.Table, value: str, title: str) -> go.Figure:
    fig = go.Figure(
        [
            go.Bar(x=_labels(_columns(part)["event_date"]), y=_columns(part)[value], name=model)
            for model, part in _split(table, "model").items()
        ]
    )
    # one legend entry per model: above the plot, so the day labels keep their room
    fig.update_layout(barmode="stack")
    _layout(fig, title).update_layout(
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"t": 60},
        height=400,
    )
    return _days_axis(fig, _labels(_columns(table)["event_date"]))


def _horizontal(table: pa.Table, label: str, value: str, title: str) -> go.Figure:
    data = _columns(table)
    fig = go.Figure(go.Bar(x=data[value][::-1], y=data[label][::-1], orientation="h"))
    return _layout(fig, x_title=title)


def _sessions(table: pa.Table) -> go.Figure:
    data = _columns(table)
    days = _labels(data["event_date"])
    fig = _layout(go.Figure(go.Bar(x=days, y=data["sessions"])), "sessions")
    return _days_axis(fig, days)


def _durations(table: pa.Table) -> go.Figure:
    data = _columns(table)
    fig = go.Figure(go.Histogram(x=data["duration_minutes"], nbinsx=30))
    return _layout(fig, "sessions", "duration (minutes)")


def _heatmap(table: pa.Table) -> go.Figure:
    """Weekday (ISO, Monday = 1) × hour; at most 168 aggregated cells."""
    grid: list[list[float | None]] = [[None] * 24 for _ in WEEKDAYS]
    data = _columns(table)
    for day, hour, prompts in zip(
        data["iso_weekday"], data["hour_of_day"], data["prompts"], strict=True
    ):
        if day is not None and hour is not None and 1 <= day <= 7 and 0 <= hour <= 23:
            grid[int(day) - 1][int(hour)] = prompts
    fig = go.Figure(
        go.Heatmap(
            z=grid, x=list(range(24)), y=list(WEEKDAYS), colorscale="Blues", hoverongaps=False
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, x_title="hour of day (UTC)")


def _blocks(table: pa.Table) -> go.Figure:
    data = _columns(table)
    starts = _labels(data["block_started_at"])
    fig = go.Figure(
        go.Bar(
            x=starts,
            y=data["total_tokens"],
            customdata=list(zip(data["block_ends_at"], data["cost_usd"], strict=True)),
            hovertemplate="%{x} → %{customdata[0]}<br>%{y:,} tokens<br>$%{customdata[1]:.2f}"
            "<extra></extra>",
        )
    )
    return _days_axis(_layout(fig, "tokens per 5-hour block"), starts)


def _tool_calls(table: pa.Table) -> go.Figure:
    data = _columns(table)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=data["tool_name"], y=data["calls"], name="calls"))
    rates = [None if r is None else 100 * r for r in data["error_rate"]]
    fig.add_trace(
        go.Scatter(x=data["tool_name"], y=rates, name="error rate %", mode="markers"),
        secondary_y=True,
    )
    fig.update_yaxes(title_text="error rate (%)", secondary_y=True)
    return _layout(fig, "calls")


def _tool_latency(table: pa.Table) -> go.Figure:
    data = _columns(table)
    seconds = [None if v is None else v / 1000 for v in data["p95_latency_ms"]]
    return _layout(go.Figure(go.Bar(x=data["tool_name"], y=seconds)), "p95 latency (s)")


def _code_changes(table: pa.Table) -> go.Figure:
    data = _columns(table)
    days = _labels(data["event_date"])
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=days, y=data["lines_added"], name="lines added"))
    removed = [None if v is None else -v for v in data["lines_removed"]]
    fig.add_trace(go.Bar(x=days, y=removed, name="lines removed"))
    fig.add_trace(
        go.Scatter(x=days, y=data["files_touched"], name="files touched"),
        secondary_y=True,
    )
    fig.update_layout(barmode="relative")
    fig.update_yaxes(title_text="files", secondary_y=True)
    return _days_axis(_layout(fig, "lines"), days)


def _subagent_share(table: pa.Table) -> go.Figure:
    data = _columns(table)
    days = _labels(data["event_date"])
    fig = go.Figure(
        [
            go.Scatter(
                x=days,
                y=[None if v is None else 100 * v for v in data[column]],
                name=label,
                mode="lines+markers",
            )
            for column, label in (
                ("subagent_token_share", "share of tokens"),
                ("subagent_cost_share", "share of cost"),
            )
        ]
    )
    return _days_axis(_layout(fig, "% from subagents"), days)


def _cache_by_day(table: pa.Table) -> go.Figure:
    """What the prompt cache saved each day against list price, and its hit rate."""
    data = _columns(table)
    days = _labels(data["event_date"])
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=days, y=data["cache_savings_usd"], name="saved (USD)"))
    for column, label in (
        ("cache_hit_rate", "hit rate %"),
        ("cache_write_1h_share", "1-hour share of writes %"),
    ):
        fig.add_trace(
            go.Scatter(
                x=days,
                y=[None if v is None else 100 * v for v in data[column]],
                name=label,
                mode="lines+markers",
            ),
            secondary_y=True,
        )
    fig.update_yaxes(title_text="%", range=[0, 100], secondary_y=True)
    return _days_axis(_layout(fig, "saved against list price (USD)"), days)


def _checks(table: pa.Table) -> go.Figure:
    data = _columns(table)
    layers: dict[str, list[int]] = {}
    for asset_key, passed in zip(data["asset_key"], data["passed"], strict=True):
        counts = layers.setdefault(str(asset_key).split("/")[0], [0, 0])
        counts[0 if passed else 1] += 1
    names = sorted(layers)
    fig = go.Figure(
        [
            go.Bar(x=names, y=[layers[n][0] for n in names], name="passed", marker_color="#2e7d32"),
            go.Bar(x=names, y=[layers[n][1] for n in names], name="failed", marker_color="#c62828"),
        ]
    )
    fig.update_layout(barmode="stack")
    return _layout(fig, "checks (latest result)")


@dataclass(frozen=True)
class Chart:
    id: str
    panel: str
    title: str
    build: Callable[[pa.Table], go.Figure]


SECTIONS: tuple[tuple[str, tuple[Chart, ...]], ...] = (
    (
        "Tokens and cost",
        (
            Chart(
                "tokens-by-model",
                "tokens_by_model",
                "Daily tokens by model",
                lambda t: _stacked_by_model(t, "total_tokens", "tokens"),
            ),
            Chart(
                "cost-by-model",
                "cost_by_model",
                "Daily cost by model (USD)",
                lambda t: _stacked_by_model(t, "cost_usd", "USD"),
            ),
            Chart(
                "cost-by-project",
                "cost_by_project",
                "Cost by project (USD)",
                lambda t: _horizontal(t, "project_id", "cost_usd", "USD"),
            ),
            Chart(
                "cost-by-branch",
                "cost_by_branch",
                "Cost by git branch (USD)",
                lambda t: _horizontal(t, "git_branch", "cost_usd", "USD"),
            ),
            Chart("usage-blocks", "usage_blocks", "5-hour usage blocks", _blocks),
            Chart("subagent-share", "subagent_share", "Subagent share", _subagent_share),
        ),
    ),
    (
        "Sessions and activity",
        (
            Chart("sessions-per-day", "sessions_per_day", "Sessions per day", _sessions),
            Chart("session-duration", "session_duration", "Session duration", _durations),
            Chart(
                "activity-heatmap",
                "activity_heatmap",
                "Activity: weekday × hour (prompts)",
                _heatmap,
            ),
        ),
    ),
    (
        "Tools and code",
        (
            Chart("tool-calls", "tool_efficiency", "Top tools: calls and error rate", _tool_calls),
            Chart("tool-latency", "tool_efficiency", "Top tools: p95 latency", _tool_latency),
            Chart("code-changes", "code_changes", "Files and lines changed per day", _code_changes),
        ),
    ),
    (
        "Prompt cache and tool errors",
        (
            Chart(
                "cache-by-day",
                "cache_by_day",
                "Prompt cache: savings, hit rate and 1-hour writes per day",
                _cache_by_day,
            ),
            Chart(
                "tool-error-classes",
                "tool_error_classes",
                "Tool errors by class",
                lambda t: _horizontal(t, "error_class", "errors", "failed calls"),
            ),
        ),
    ),
    ("Data quality", (Chart("checks", "check_results", "Asset checks by layer", _checks),)),
)

# Tables under a section's charts: (panel, title).
SECTION_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "Prompt cache and tool errors": (
        ("cache_by_model", "Prompt cache by model: hit rate, 5-minute/1-hour writes, savings"),
        ("tool_error_messages", "Top messages per tool-error class"),
    ),
    "Data quality": (
        ("check_results", "Latest check results (failed first)"),
        ("dead_letters", "Dead letters by reason"),
        ("freshness", "Freshness: last materialisation per asset"),
    ),
}


@dataclass
class DashboardResult:
    path: Path
    charts: dict[str, int] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    bytes: int = 0
    # the user filter's people, and the charts it redraws for each
    users: list[str] = field(default_factory=list)
    user_charts: list[str] = field(default_factory=list)


@dataclass
class Snapshot:
    """What the page shows, read in one go: every panel, and each person's split panels."""

    tables: dict[str, pa.Table]
    missing: dict[str, list[str]]
    summary: dict[str, Any]
    user_tables: dict[str, dict[str, pa.Table]] = field(default_factory=dict)
    user_summaries: dict[str, dict[str, Any]] = field(default_factory=dict)


def _table_html(table: pa.Table | None, empty: str) -> str:
    if table is None or table.num_rows == 0:
        return f'<p class="note">{html.escape(empty)}</p>'
    data = _columns(table.slice(0, TABLE_ROW_LIMIT))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in data)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in zip(*data.values(), strict=True)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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


def _kpis(summary: Mapping[str, Any], extras: Mapping[str, Any]) -> str:
    def money(v: Any) -> str:
        return "–" if v is None else f"${float(v):,.2f}"

    def number(v: Any) -> str:
        return "–" if v is None else f"{int(v):,}"

    cards = [
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
    return "".join(
        f'<div class="kpi"><div class="label">{html.escape(k)}</div>'
        f'<div class="value">{html.escape(v)}</div></div>'
        for k, v in cards
    )


def _unpriced_banner(unpriced: list[tuple[str, int, int]]) -> str:
    """Tokens of models without a price are not in any cost on the page: say so first."""
    if not unpriced:
        return ""
    tokens = sum(int(t) for _, _, t in unpriced)
    models = ", ".join(f"{html.escape(m)} ({int(t):,} tokens)" for m, _, t in unpriced)
    return (
        f'<div class="banner" id="unpriced-banner"><strong>{tokens:,} tokens have no price'
        f"</strong> and are left out of every cost below: {models}. Add the model to "
        "price_overrides.csv in the analytics home, or upgrade genai-prices.</div>"
    )


def _window_note(summary: Mapping[str, Any]) -> str:
    days = int(summary.get("active_days") or 0)
    shown = min(days, RECENT_DAYS)
    return (
        f'<div class="window"><span>Time charts show only days with data: the '
        f"{shown} most recent of {days}.</span>"
        '<button type="button" data-window="recent" class="active">Recent days</button>'
        '<button type="button" data-window="all">All history</button></div>'
    )


def _query_all(snapshot: Path) -> Snapshot:
    tables: dict[str, pa.Table] = {}
    missing: dict[str, list[str]] = {}
    user_tables: dict[str, dict[str, pa.Table]] = {}
    user_summaries: dict[str, dict[str, Any]] = {}
    with open_snapshot(snapshot) as con:
        relations = existing_relations(con)
        for panel, query in PANELS.items():
            lacking = missing_for(query.needs, relations)
            if lacking:
                missing[panel] = lacking
            else:
                params = query_parameters(query.sql, None)
                tables[panel] = con.execute(query.sql, params).arrow().read_all()
        summary: dict[str, Any] = {}
        if not missing_for(("marts.fct_token_usage",), relations):
            row = con.execute(SUMMARY_SQL).arrow().read_all().to_pylist()
            summary = row[0] if row else {}
            summary["unpriced"] = con.execute(sql("unpriced_tokens")).fetchall()
        if "marts.dim_users" in relations:
            users = [u for (u,) in con.execute(USERS_SQL, {"limit": USER_FILTER_LIMIT}).fetchall()]
            split = {p: q for p, q in PANELS.items() if splits_by_user(q, relations)}
            with_summary = "user_id" in relations.get("marts.fct_token_usage", set())
            for user in users:
                user_tables[user] = {
                    panel: con.execute(query.user_sql, {"user": user}).arrow().read_all()
                    for panel, query in split.items()
                    if query.user_sql is not None
                }
                if with_summary:
                    rows = con.execute(USER_SUMMARY_SQL, {"user": user}).arrow().read_all()
                    user_summaries[user] = rows.to_pylist()[0]
        info = (
            con.execute(f"select built_at from {SNAPSHOT_INFO}").fetchone()
            if SNAPSHOT_INFO in relations
            else None
        )
        summary["built_at"] = info[0] if info else None
    return Snapshot(tables, missing, summary, user_tables, user_summaries)


def _user_filter(users: list[str]) -> str:
    if not users:
        return ""
    options = "".join(
        f'<option value="{html.escape(u, quote=True)}">{html.escape(u)}</option>' for u in users
    )
    return (
        '<div class="window"><label for="user-filter">User</label>'
        f'<select id="user-filter"><option value="">All users</option>{options}</select>'
        '<span class="note" id="user-filter-note" hidden>Charts marked "all users" are not '
        "split by person.</span></div>"
    )


def _views(all_html: str, per_user: Mapping[str, str], css: str = "") -> str:
    """The everyone view, then each person's, hidden until the user filter picks them."""
    views = [f'<div class="{css}" data-view="">{all_html}</div>']
    views += [
        f'<div class="{css}" data-view="{html.escape(u, quote=True)}" hidden>{body}</div>'
        for u, body in per_user.items()
    ]
    return "".join(views)


def render(snapshot: Path) -> tuple[str, DashboardResult]:
    """The page and what is on it (points per chart, panels waiting for a mart)."""
    data = _query_all(snapshot)
    tables, missing, summary = data.tables, data.missing, data.summary
    result = DashboardResult(path=Path())
    result.users = list(data.user_tables)
    split_panels = set().union(*(set(t) for t in data.user_tables.values()))
    figures: dict[str, str] = {}
    user_figures: dict[str, dict[str, str]] = {user: {} for user in data.user_tables}
    sections: list[str] = []
    for section, charts in SECTIONS:
        cards: list[str] = []
        for chart in charts:
            chart_id = chart.id
            table = tables.get(chart.panel)
            if chart.panel in missing:
                result.missing[chart_id] = missing[chart.panel]
                body = (
                    '<p class="note">Waiting for '
                    + html.escape(", ".join(missing[chart.panel]))
                    + " in the marts.</p>"
                )
            elif table is None or table.num_rows == 0:
                result.missing[chart_id] = ["no rows"]
                body = '<p class="note">No data in this period.</p>'
            else:
                figures[chart_id] = pio.to_json(chart.build(table), validate=False)
                result.charts[chart_id] = table.num_rows
                body = f'<div class="chart" id="chart-{chart_id}"></div>'
                if chart.panel in split_panels:
                    result.user_charts.append(chart_id)
                    for user, own in data.user_tables.items():
                        part = own[chart.panel]
                        user_figures[user][chart_id] = (
                            pio.to_json(chart.build(part), validate=False)
                            if part.num_rows
                            else "null"
                        )
            unsplit = (
                ""
                if chart.panel in split_panels or not data.user_tables
                else ' <span class="unsplit" hidden>(all users)</span>'
            )
            cards.append(
                f'<section class="card"><h3>{html.escape(chart.title)}{unsplit}</h3>'
                f"{body}</section>"
            )
        for panel, title in SECTION_TABLES.get(section, ()):
            everyone = _table_html(tables.get(panel), "None.")
            if panel in split_panels:
                own = {u: _table_html(t.get(panel), "None.") for u, t in data.user_tables.items()}
                everyone = _views(everyone, own)
            cards.append(
                f'<section class="card wide"><h3>{html.escape(title)}</h3>{everyone}</section>'
            )
        sections.append(f'<h2>{html.escape(section)}</h2><div class="grid">{"".join(cards)}</div>')

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
    kpis = _views(
        _kpis(summary, extras),
        {u: _kpis(s, extras) for u, s in data.user_summaries.items()},
        "kpis",
    )
    figures_json = "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in figures.items()) + "}"
    user_json = (
        "{"
        + ",".join(
            json.dumps(user) + ":{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in own.items()) + "}"
            for user, own in user_figures.items()
        )
        + "}"
    )
    built = summary.get("built_at")
    page = PAGE.format(
        plotly_js=get_plotlyjs(),
        built=html.escape(_cell(built) if built else "unknown"),
        snapshot=html.escape(str(snapshot)),
        kpis=kpis,
        banner=_unpriced_banner(summary.get("unpriced", [])),
        window=_window_note(summary) + _user_filter(result.users),
        sections="".join(sections),
        figures=_script_safe(figures_json),
        user_figures=_script_safe(user_json),
        missing=_script_safe(json.dumps(result.missing)),
    )
    return page, result


def _script_safe(text: str) -> str:
    """JSON inside <script>: a `</script>` in a project name must not end the element."""
    return text.replace("</", "<\\/")


def build_dashboard(snapshot: Path, out: Path) -> DashboardResult:
    """Write the page next to its final place, then swap it in: a reader never sees half."""
    page, result = render(snapshot)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    staging.write_text(page, encoding="utf-8")
    os.replace(staging, out)
    result.path = out
    result.bytes = out.stat().st_size
    return result


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Claude Code analytics</title>
<script>
window.__dashboardErrors = [];
window.addEventListener("error", function (e) {{
  window.__dashboardErrors.push(String(e.message));
}});
window.addEventListener("unhandledrejection", function (e) {{
  window.__dashboardErrors.push(String(e.reason));
}});
</script>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  background: #f5f6f8; color: #1d2330; }}
header {{ background: #1d2330; color: #fff; padding: 16px 28px; }}
header h1 {{ margin: 0; font-size: 22px; }}
header p {{ margin: 4px 0 0; color: #b8c0d0; font-size: 13px; }}
main {{ padding: 8px 28px 40px; }}
h2 {{ font-size: 18px; margin: 28px 0 10px; }}
.kpis {{ display: flex; flex-wrap: wrap; gap: 12px; margin-top: 18px; }}
.kpi {{ background: #fff; border-radius: 8px; padding: 12px 16px; min-width: 140px;
  box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
.kpi .label {{ font-size: 12px; color: #5b6478; }}
.kpi .value {{ font-size: 20px; font-weight: 600; margin-top: 4px; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }}
.card {{ background: #fff; border-radius: 8px; padding: 12px 16px;
  box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
.card.wide {{ grid-column: 1 / -1; }}
.banner {{ background: #fff4e5; border: 1px solid #e0a33b; color: #663c00; border-radius: 8px;
  padding: 12px 16px; margin-top: 18px; }}
.window {{ margin-top: 14px; font-size: 13px; color: #5b6478; display: flex; gap: 8px;
  align-items: center; }}
.window button {{ border: 1px solid #c5cad6; background: #fff; border-radius: 6px;
  padding: 4px 10px; cursor: pointer; }}
.window button.active {{ background: #1d2330; color: #fff; }}
.card h3 {{ font-size: 14px; margin: 0 0 6px; }}
.card h3 .unsplit {{ font-weight: normal; color: #5b6478; }}
[hidden] {{ display: none !important; }}
.chart {{ min-height: 340px; }}
.note {{ color: #5b6478; font-style: italic; }}
table {{ border-collapse: collapse; width: 100%; font-size: 12px; }}
th, td {{ text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e6ec; }}
</style>
<script>{plotly_js}</script>
</head>
<body>
<header><h1>Claude Code analytics</h1>
<p>Snapshot built {built} · {snapshot}</p></header>
<main>
{banner}
{kpis}
{window}
{sections}
</main>
<script type="application/json" id="dashboard-figures">{figures}</script>
<script type="application/json" id="dashboard-user-figures">{user_figures}</script>
<script type="application/json" id="dashboard-missing">{missing}</script>
<pre id="dashboard-status" hidden></pre>
<script>
(function () {{
  function values(a) {{ return a ? Array.prototype.slice.call(a) : []; }}
  function present(v) {{ return v !== null && v !== undefined; }}
  function countPoints(trace) {{
    if (trace.z) {{
      return values(trace.z).reduce(function (n, row) {{
        return n + values(row).filter(present).length;
      }}, 0);
    }}
    var axis = (trace.type === "histogram" || trace.orientation === "h") ? trace.x : trace.y;
    return values(axis).filter(present).length;
  }}
  var status = {{ charts: [], errors: window.__dashboardErrors, missing: {{}}, done: false }};
  var figures = JSON.parse(document.getElementById("dashboard-figures").textContent);
  status.missing = JSON.parse(document.getElementById("dashboard-missing").textContent);
  var userFigures = JSON.parse(document.getElementById("dashboard-user-figures").textContent);
  var shown = Object.assign({{}}, figures);
  var windowShown = "recent";
  var config = {{ displaylogo: false, responsive: true }};
  function summary(id, gd) {{
    return {{
      id: id,
      traces: gd.data.length,
      points: gd.data.reduce(function (n, t) {{ return n + countPoints(t); }}, 0)
    }};
  }}
  function writeStatus() {{
    document.getElementById("dashboard-status").textContent = JSON.stringify(status);
  }}
  var jobs = Object.keys(figures).map(function (id) {{
    var figure = figures[id];
    return Plotly.newPlot("chart-" + id, figure.data, figure.layout, config).then(function (gd) {{
      status.charts.push(summary(id, gd));
    }});
  }});
  function showUser(user) {{
    var own = user ? userFigures[user] || {{}} : null;
    document.querySelectorAll("[data-view]").forEach(function (el) {{
      el.hidden = el.getAttribute("data-view") !== user;
    }});
    document.querySelectorAll(".unsplit").forEach(function (el) {{ el.hidden = !user; }});
    var note = document.getElementById("user-filter-note");
    if (note) {{ note.hidden = !user; }}
    var redraws = Object.keys(figures).filter(function (id) {{
      return !own || Object.prototype.hasOwnProperty.call(own, id);
    }}).map(function (id) {{
      var figure = own ? own[id] || {{ data: [], layout: figures[id].layout }} : figures[id];
      shown[id] = figure;
      return Plotly.react("chart-" + id, figure.data, figure.layout, config).then(function (gd) {{
        return summary(id, gd);
      }});
    }});
    return Promise.all(redraws).then(function (charts) {{
      status.view = {{ user: user, charts: charts }};
      showWindow(windowShown);
      writeStatus();
    }}).catch(function (e) {{ status.errors.push(String(e)); writeStatus(); }});
  }}
  var filter = document.getElementById("user-filter");
  if (filter) {{
    status.users = Array.prototype.map.call(filter.options, function (o) {{ return o.value; }})
      .filter(function (v) {{ return v; }});
    filter.addEventListener("change", function () {{ showUser(filter.value); }});
  }}
  window.__dashboardShowUser = showUser;
  function showWindow(which) {{
    windowShown = which;
    Object.keys(shown).forEach(function (id) {{
      var meta = shown[id].layout.meta;
      if (!meta || !meta.recent_range) {{ return; }}
      var update = which === "all"
        ? {{ "xaxis.range": [-0.5, meta.categories - 0.5] }}
        : {{ "xaxis.range": meta.recent_range }};
      Plotly.relayout("chart-" + id, update);
    }});
    document.querySelectorAll("[data-window]").forEach(function (b) {{
      b.classList.toggle("active", b.getAttribute("data-window") === which);
    }});
  }}
  document.querySelectorAll("[data-window]").forEach(function (b) {{
    b.addEventListener("click", function () {{ showWindow(b.getAttribute("data-window")); }});
  }});
  Promise.all(jobs).catch(function (e) {{ status.errors.push(String(e)); }}).then(function () {{
    status.done = true;
    writeStatus();
    document.body.setAttribute("data-ready", "true");
  }});
}})();
</script>
</body>
</html>
"""
