"""Summary reports over a date range: cost by agent, tool, MCP server, slash command and
skill, the prompt cache, and tool errors by class with their top messages.

Each reads the mart built for it (agg_agent_costs, agg_tool_costs, agg_command_costs,
agg_cache_efficiency, fct_tool_errors) in the serving snapshot, so a report never waits on a
run. The marts are per UTC day, so `--since`/`--until` are UTC days here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from claude_analytics.core.serving.queries import existing_relations
from claude_analytics.core.serving.reports import ReportError, ReportKind
from claude_analytics.core.serving.snapshot import open_snapshot
from claude_analytics.core.sql_files import fill_slots, read_sql

# Messages listed under each error class.
TOP_MESSAGES = 3


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    # how to print it: count, usd, share (a fraction as %), tokens (may be fractional), text
    kind: str = "count"


@dataclass(frozen=True)
class InsightSpec:
    mart: str
    columns: tuple[Column, ...]
    # columns summed into the totals line
    totals: tuple[str, ...]
    title: str


COST = Column("cost_usd", "Cost\n(USD)", "usd")
ATTRIBUTED = Column("attributed_cost_usd", "Cost\n(USD)", "usd")
SPECS: dict[ReportKind, InsightSpec] = {
    ReportKind.agents: InsightSpec(
        "marts.agg_agent_costs",
        (
            Column("agent_type", "Agent", "text"),
            Column("api_responses", "Responses"),
            Column("subagent_runs", "Runs"),
            Column("total_tokens", "Tokens"),
            COST,
            Column("cost_share", "Share", "share"),
        ),
        ("api_responses", "subagent_runs", "total_tokens", "cost_usd"),
        "Cost by agent: the main conversation and each subagent type",
    ),
    ReportKind.tools: InsightSpec(
        "marts.agg_tool_costs",
        (
            Column("tool_name", "Tool", "text"),
            Column("calls", "Calls"),
            Column("error_rate", "Errors", "share"),
            Column("attributed_total_tokens", "Tokens", "tokens"),
            ATTRIBUTED,
            Column("cost_share", "Share", "share"),
            Column("result_characters", "Result\nchars"),
        ),
        ("calls", "attributed_total_tokens", "attributed_cost_usd", "result_characters"),
        "Cost of calling each tool (a response's cost split across its calls)",
    ),
    ReportKind.mcp: InsightSpec(
        "marts.agg_tool_costs",
        (
            Column("mcp_server", "MCP server", "text"),
            Column("tools", "Tools"),
            Column("calls", "Calls"),
            Column("error_rate", "Errors", "share"),
            Column("attributed_total_tokens", "Tokens", "tokens"),
            ATTRIBUTED,
            Column("result_characters", "Result\nchars"),
        ),
        ("calls", "attributed_total_tokens", "attributed_cost_usd", "result_characters"),
        "Cost of calling each MCP server's tools",
    ),
    ReportKind.commands: InsightSpec(
        "marts.agg_command_costs",
        (
            Column("command_kind", "Kind", "text"),
            Column("command_name", "Command / skill", "text"),
            Column("invocations", "Uses"),
            Column("api_responses", "Responses"),
            Column("total_tokens", "Tokens"),
            COST,
            Column("cost_per_invocation_usd", "Per use\n(USD)", "usd"),
        ),
        (),
        "Cost of slash commands and skills (the responses of the turns they drove)",
    ),
    ReportKind.cache: InsightSpec(
        "marts.agg_cache_efficiency",
        (
            Column("dimension", "", "text"),
            Column("api_responses", "Responses"),
            Column("input_side_tokens", "Input-side\ntokens"),
            Column("cache_hit_rate", "Hit\nrate", "share"),
            Column("cache_write_1h_share", "1h\nwrites", "share"),
            Column("input_side_cost_usd", "Input cost\n(USD)", "usd"),
            Column("list_price_input_cost_usd", "List price\n(USD)", "usd"),
            Column("cache_savings_usd", "Saved\n(USD)", "usd"),
        ),
        (
            "api_responses",
            "input_side_tokens",
            "input_side_cost_usd",
            "list_price_input_cost_usd",
            "cache_savings_usd",
        ),
        "Prompt cache: hit rate, 5-minute/1-hour writes and savings against list price",
    ),  # fmt: skip
    ReportKind.errors: InsightSpec(
        "marts.fct_tool_errors",
        (
            Column("error_class", "Class", "text"),
            Column("class_errors", "Errors"),
            Column("class_share", "Share", "share"),
            Column("occurrences", "Times"),
            Column("example_message", "Top messages", "text"),
        ),
        (),
        "Tool errors by class, with each class's most frequent messages",
    ),
}
# `report cache --by`: the mart column each choice groups on
CACHE_DIMENSIONS = {"model": "model_id", "project": "project_id", "day": "event_date::varchar",
                    "user": "user_id"}  # fmt: skip


@dataclass(frozen=True)
class InsightOptions:
    kind: ReportKind
    since: date | None = None
    until: date | None = None
    project: str | None = None
    user: str | None = None
    by: str | None = None


@dataclass
class InsightReport:
    options: InsightOptions
    spec: InsightSpec
    rows: list[dict[str, Any]]
    totals: dict[str, float | int]

    def as_json(self) -> dict[str, Any]:
        return {
            "report": self.options.kind.value,
            "days": "UTC",
            "since": self.options.since.isoformat() if self.options.since else None,
            "until": self.options.until.isoformat() if self.options.until else None,
            "project": self.options.project,
            "user": self.options.user,
            **({"by": self.options.by} if self.options.kind is ReportKind.cache else {}),
            "rows": self.rows,
            "totals": self.totals,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def _sql(options: InsightOptions) -> str:
    query = read_sql(__package__, f"report_{options.kind.value}")
    if options.kind is ReportKind.cache:
        by = options.by or "model"
        if by not in CACHE_DIMENSIONS:
            raise ReportError(f"report cache --by takes {', '.join(CACHE_DIMENSIONS)}")
        return fill_slots(query, {"dimension": CACHE_DIMENSIONS[by]})
    elif options.by:
        raise ReportError("--by applies to daily, weekly, monthly, session and cache reports")
    return query


def build_insight_report(snapshot: Path, options: InsightOptions) -> InsightReport:
    spec = SPECS[options.kind]
    if options.since and options.until and options.since > options.until:
        raise ReportError("--since is after --until")
    query = _sql(options)
    params: dict[str, Any] = {
        "since": options.since,
        "until": options.until,
        "project": options.project,
        "user": options.user,
    }
    if options.kind is ReportKind.errors:
        params["top"] = TOP_MESSAGES
    with open_snapshot(snapshot) as con:
        if spec.mart not in existing_relations(con):
            raise ReportError(
                f"The snapshot lacks {spec.mart}: build the marts (claude-analytics run)."
            )
        cursor = con.execute(query, params)
        names = [d[0] for d in cursor.description or ()]
        rows = [
            {name: _plain(value) for name, value in zip(names, values, strict=True)}
            for values in cursor.fetchall()
        ]
    totals = {name: _plain(sum(row[name] or 0 for row in rows)) for name in spec.totals}
    if options.kind is ReportKind.errors:
        totals["class_errors"] = sum(row["class_errors"] for row in rows if row["class_rank"] == 1)
    return InsightReport(options, spec, rows, totals)
