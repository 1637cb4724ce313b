"""What the page shows, read from the snapshot in one go: every panel, the headline figures,
and each person's split panels and figures for the user filter.

A panel whose mart or column is missing is not run: it is listed with what it lacks (read
from its own query, core/serving/needs.py), and the page says so in its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from claude_analytics.core.pricing.tables import sql as pricing_sql
from claude_analytics.core.serving.queries import (
    PANELS,
    SUMMARY,
    existing_relations,
    missing_for,
    query,
    query_parameters,
    splits_by_user,
)
from claude_analytics.core.serving.snapshot import open_snapshot

# People the user filter offers (each adds a copy of the split charts to the page).
USER_FILTER_LIMIT = 25


@dataclass
class Snapshot:
    """What the page shows, read in one go: every panel, and each person's split panels."""

    tables: dict[str, pa.Table]
    missing: dict[str, list[str]]
    summary: dict[str, Any]
    user_tables: dict[str, dict[str, pa.Table]] = field(default_factory=dict)
    user_summaries: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_snapshot(snapshot: Path) -> Snapshot:
    tables: dict[str, pa.Table] = {}
    missing: dict[str, list[str]] = {}
    user_tables: dict[str, dict[str, pa.Table]] = {}
    user_summaries: dict[str, dict[str, Any]] = {}
    with open_snapshot(snapshot) as con:
        relations = existing_relations(con)
        for panel, panel_query in PANELS.items():
            sql = panel_query.sql
            lacking = missing_for(sql, relations)
            if lacking:
                missing[panel] = lacking
            else:
                tables[panel] = con.execute(sql, query_parameters(sql, None)).arrow().read_all()
        summary: dict[str, Any] = {}
        if not missing_for(SUMMARY.sql, relations):
            row = con.execute(SUMMARY.sql).arrow().read_all().to_pylist()
            summary = row[0] if row else {}
            summary["unpriced"] = con.execute(pricing_sql("unpriced_tokens")).fetchall()
        if not missing_for(query("users"), relations):
            users = [
                u
                for (u,) in con.execute(query("users"), {"max_users": USER_FILTER_LIMIT}).fetchall()
            ]
            split = {p: q for p, q in PANELS.items() if splits_by_user(q, relations)}
            user_summary = SUMMARY.user_sql or ""
            with_summary = not missing_for(user_summary, relations)
            for user in users:
                user_tables[user] = {
                    panel: con.execute(panel_query.user_sql, {"user": user}).arrow().read_all()
                    for panel, panel_query in split.items()
                    if panel_query.user_sql is not None
                }
                if with_summary:
                    rows = con.execute(user_summary, {"user": user}).arrow().read_all()
                    user_summaries[user] = rows.to_pylist()[0]
        built_at = query("snapshot_built_at")
        info = None if missing_for(built_at, relations) else con.execute(built_at).fetchone()
        summary["built_at"] = info[0] if info else None
    return Snapshot(tables, missing, summary, user_tables, user_summaries)
