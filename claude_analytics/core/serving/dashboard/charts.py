"""The dashboard's charts: one Plotly figure per panel, built from the panel's query result.

Histories are long and sparse (a few busy weeks, then months without a session), so time
charts put only the days that have data on their axis, and open on the most recent of them;
a button shows the whole history (`meta.recent_range`, read by page.js).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import pyarrow as pa
import pyarrow.compute as pc
from plotly.subplots import make_subplots

Columns = dict[str, list[Any]]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# The days (with data) the time charts open on; "All history" shows every one.
RECENT_DAYS = 30


def plain(value: Any) -> Any:
    """DuckDB sums of decimals come back as Decimal, which JSON cannot carry."""
    return float(value) if isinstance(value, Decimal) else value


def columns(table: pa.Table) -> Columns:
    return {name: [plain(v) for v in table.column(name).to_pylist()] for name in table.column_names}


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
            go.Bar(x=_labels(columns(part)["event_date"]), y=columns(part)[value], name=model)
            for model, part in _split(table, "model_id").items()
        ]
    )
    # one legend entry per model: above the plot, so the day labels keep their room
    fig.update_layout(barmode="stack")
    _layout(fig, title).update_layout(
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"t": 60},
        height=400,
    )
    return _days_axis(fig, _labels(columns(table)["event_date"]))


def _horizontal(table: pa.Table, label: str, value: str, title: str) -> go.Figure:
    data = columns(table)
    fig = go.Figure(go.Bar(x=data[value][::-1], y=data[label][::-1], orientation="h"))
    return _layout(fig, x_title=title)


def _sessions(table: pa.Table) -> go.Figure:
    data = columns(table)
    days = _labels(data["event_date"])
    fig = _layout(go.Figure(go.Bar(x=days, y=data["sessions"])), "sessions")
    return _days_axis(fig, days)


def _durations(table: pa.Table) -> go.Figure:
    data = columns(table)
    fig = go.Figure(go.Histogram(x=data["duration_minutes"], nbinsx=30))
    return _layout(fig, "sessions", "duration (minutes)")


def _heatmap(table: pa.Table) -> go.Figure:
    """Weekday (ISO, Monday = 1) × hour; at most 168 aggregated cells."""
    grid: list[list[float | None]] = [[None] * 24 for _ in WEEKDAYS]
    data = columns(table)
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
    data = columns(table)
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
    data = columns(table)
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
    data = columns(table)
    seconds = [None if v is None else v / 1000 for v in data["p95_latency_ms"]]
    return _layout(go.Figure(go.Bar(x=data["tool_name"], y=seconds)), "p95 latency (s)")


def _code_changes(table: pa.Table) -> go.Figure:
    data = columns(table)
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
    data = columns(table)
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
    data = columns(table)
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
    data = columns(table)
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
