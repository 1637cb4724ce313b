"""Token and cost reports (daily, weekly, monthly, per session, per 5-hour block).

The figures come from the serving snapshot, so a report never waits on a running pipeline,
and from the same marts the dashboard uses, so the terminal and the page always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from claude_analytics.core.contracts import TOKEN_COLUMNS
from claude_analytics.core.serving.queries import (
    TOKEN_REPORT_PERIODS,
    existing_relations,
    missing_for,
    query,
    token_report_sql,
)
from claude_analytics.core.serving.snapshot import open_snapshot

# unpriced_tokens: tokens of models without a price, which cost_usd leaves out
FIGURES = (*TOKEN_COLUMNS, "total_tokens", "cost_usd", "unpriced_tokens")


class ReportKind(StrEnum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    session = "session"
    blocks = "blocks"
    # summaries over the whole range from the attribution, cache and error marts
    # (core/serving/insight_reports.py)
    agents = "agents"
    tools = "tools"
    mcp = "mcp"
    commands = "commands"
    cache = "cache"
    errors = "errors"


class Breakdown(StrEnum):
    """What `--by` splits each period into."""

    model = "model"
    user = "user"
    machine = "machine"
    project = "project"
    branch = "branch"


@dataclass(frozen=True)
class ReportOptions:
    kind: ReportKind
    since: date | None = None
    until: date | None = None
    project: str | None = None
    timezone: str = "UTC"
    breakdown: bool = False
    by: Breakdown | None = None
    user: str | None = None

    @property
    def split_by(self) -> Breakdown | None:
        """The breakdown asked for: `--by`, or `--breakdown` (by model, as ccusage's)."""
        return self.by or (Breakdown.model if self.breakdown else None)


@dataclass
class ReportRow:
    period: str
    figures: dict[str, float | int]
    models: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    breakdown: list[dict[str, Any]] = field(default_factory=list)
    unpriced_models: list[str] = field(default_factory=list)


@dataclass
class Report:
    options: ReportOptions
    rows: list[ReportRow]
    totals: dict[str, float | int]

    @property
    def unpriced_models(self) -> list[str]:
        return sorted({model for row in self.rows for model in row.unpriced_models})

    def as_json(self) -> dict[str, Any]:
        return {
            "report": self.options.kind.value,
            "timezone": self.options.timezone,
            "since": self.options.since.isoformat() if self.options.since else None,
            "until": self.options.until.isoformat() if self.options.until else None,
            "project": self.options.project,
            "user": self.options.user,
            "by": self.options.split_by.value if self.options.split_by else None,
            "rows": [
                {
                    "period": row.period,
                    "models": row.models,
                    **row.extra,
                    **row.figures,
                    "unpriced_models": row.unpriced_models,
                    **({"breakdown": row.breakdown} if self.options.split_by else {}),
                }
                for row in self.rows
            ],
            "totals": {**self.totals, "unpriced_models": self.unpriced_models},
        }


class ReportError(ValueError):
    """A request the report cannot answer (unknown zone, option that does not apply)."""


def _number(value: Any) -> float | int:
    if value is None:
        return 0
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    return int(value)


def _check(options: ReportOptions) -> None:
    try:
        ZoneInfo(options.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ReportError(f"Unknown time zone {options.timezone!r}") from error
    if options.since and options.until and options.since > options.until:
        raise ReportError("--since is after --until")
    if options.kind is ReportKind.blocks and (options.project or options.split_by or options.user):
        raise ReportError(
            "5-hour blocks span every project, user and model: drop --project/--user/--by"
        )


def build_report(snapshot: Path, options: ReportOptions) -> Report:
    if options.kind.value not in TOKEN_REPORT_PERIODS and options.kind is not ReportKind.blocks:
        raise ReportError(
            f"{options.kind.value} is a summary report (core/serving/insight_reports.py)"
        )
    _check(options)
    params: dict[str, Any] = {
        "timezone": options.timezone,
        "since": options.since,
        "until": options.until,
    }
    split = options.split_by or Breakdown.model
    if options.kind is ReportKind.blocks:
        sql = query("blocks_report")
    else:
        sql = token_report_sql(options.kind.value, split.value, bool(options.user))
        params["project"] = options.project
        if options.user:
            params["user"] = options.user
    with open_snapshot(snapshot) as con:
        lacking = missing_for(sql, existing_relations(con))
        if lacking:
            raise ReportError(
                f"The snapshot lacks {', '.join(lacking)}: build the marts (claude-analytics run)."
            )
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        records = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    rows: list[ReportRow] = []
    for record in records:
        figures = {name: _number(record[name]) for name in FIGURES}
        unpriced = list(record["unpriced_models"])
        if options.kind is ReportKind.blocks:
            extra = {"end": record["block_end"]}
            rows.append(ReportRow(str(record["period"]), figures, extra=extra))
            rows[-1].unpriced_models = unpriced
        elif record["is_total"]:
            extra = (
                {k: record[k] for k in ("project_id", "last_activity")}
                if options.kind is ReportKind.session
                else {}
            )
            models = list(record["models"])
            rows.append(ReportRow(str(record["period"]), figures, models, extra))
            rows[-1].unpriced_models = unpriced
        elif options.split_by:
            rows[-1].breakdown.append({split.value: record["dimension"], **figures})
    totals = {name: _number(sum(row.figures[name] for row in rows)) for name in FIGURES}
    return Report(options, rows, totals)
