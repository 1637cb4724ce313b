"""Schema drift: entry types and top-level fields the platform has not seen before.

Claude Code adds entry types and fields with new versions. They are kept (raw_json holds
them), but someone should model them, so a non-blocking check lists each new name with how
often it appeared and an example entry. The baseline below is what current transcripts and
the sync service write; adding a name here acknowledges it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from claude_analytics.core.sql_files import read_sql

KNOWN_ENTRY_TYPES = frozenset(
    {
        "user",
        "assistant",
        "system",
        "summary",
        "file-history-snapshot",
        "progress",
        "queue-operation",
    }
)
KNOWN_TOP_LEVEL_FIELDS = frozenset(
    {
        # every entry type, as Claude Code writes them
        "type", "uuid", "parentUuid", "logicalParentUuid", "sessionId", "timestamp",
        "isSidechain", "userType", "cwd", "gitBranch", "version", "requestId", "message",
        "toolUseResult", "isApiErrorMessage", "isMeta", "isCompactSummary",
        "isVisibleInTranscriptOnly", "compactMetadata", "thinkingMetadata", "todos", "slug",
        "agentId", "subtype", "level", "content", "error", "retryInMs", "retryAttempt",
        "maxRetries", "summary", "leafUuid", "messageId", "snapshot", "isSnapshotUpdate",
        "toolUseID", "sourceToolUseID",
        # progress and queue-operation entries, Claude Code 2.1 (modelled in stg_session_events)
        "data", "parentToolUseID", "operation", "permissionMode", "sourceToolAssistantUUID",
        "durationMs",
        # added by the sync service (the MongoDB source contract); who and where: our sync
        "_id", "projectId", "sourceFile", "ingestedAt", "userId", "hostname",
    }
)  # fmt: skip
MAX_NAMES = 20


@dataclass
class DriftReport:
    """New names -> {"count": n, "example_entry_id": id}, accumulated over batches."""

    entry_types: dict[str, dict[str, object]] = field(default_factory=dict)
    fields: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def drifted(self) -> bool:
        return bool(self.entry_types or self.fields)

    def _merge(self, into: dict[str, dict[str, object]], rows: list[tuple[str, int, str]]) -> None:
        for name, count, example in rows:
            if name in into:
                into[name]["count"] = int(into[name]["count"]) + count  # type: ignore[call-overload]
            elif len(into) < MAX_NAMES:
                into[name] = {"count": count, "example_entry_id": example}


def observe(entries: pa.Table, report: DriftReport) -> None:
    """Add one batch's unknown entry types and top-level fields to `report`."""
    if entries.num_rows == 0:
        return
    con = duckdb.connect()
    try:
        # DuckDB scans an Arrow table one record batch per thread: slicing (zero-copy) lets
        # both cores parse the entries' keys.
        columns = entries.select(["entry_id", "entry_type", "raw_json"])
        con.register("batch", pa.Table.from_batches(columns.to_batches(max_chunksize=4096)))
        types = con.execute(
            read_sql(__package__, "drift_entry_types"), {"known": sorted(KNOWN_ENTRY_TYPES)}
        ).fetchall()
        fields = con.execute(
            read_sql(__package__, "drift_fields"), {"known": sorted(KNOWN_TOP_LEVEL_FIELDS)}
        ).fetchall()
    finally:
        con.close()
    report._merge(report.entry_types, types)
    report._merge(report.fields, fields)
