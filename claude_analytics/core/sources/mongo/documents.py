"""The document shape DESIGN.md fixes: one JSONL entry plus `projectId`, `sourceFile`,
`ingestedAt` and (our own sync) `userId` and `hostname`, and its way back to the entry's
original JSON text."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bson import Binary, Decimal128, ObjectId

from claude_analytics.core.sources.jsonl import entry_id_for

# Fields the syncing side adds; everything else is the entry exactly as Claude Code wrote it.
SYNC_FIELDS = frozenset({"_id", "projectId", "sourceFile", "ingestedAt", "userId", "hostname"})

# Claude Code writes JSON.stringify output: compact, non-ASCII unescaped. Encoding the same
# way makes the re-serialised entry byte-identical to the original line for its entries.
_JSON_OPTIONS: dict[str, Any] = {"separators": (",", ":"), "ensure_ascii": False}


def iso_millis(value: datetime) -> str:
    """A datetime as JavaScript's toISOString renders it, the form Claude Code's timestamps have."""
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _bson_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_millis(value)
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, Decimal128 | Decimal):
        return float(str(value))
    if isinstance(value, Binary | bytes):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot render a {type(value).__name__} as JSON")


_ENCODER = json.JSONEncoder(default=_bson_default, **_JSON_OPTIONS)


def encode_entry(entry: dict[str, Any]) -> str:
    """The compact JSON text of an entry, as Claude Code would have written it."""
    return _ENCODER.encode(entry)


def entry_line(document: dict[str, Any]) -> bytes:
    """The original JSONL line of a synced document: the sync fields removed, order kept."""
    entry = {key: value for key, value in document.items() if key not in SYNC_FIELDS}
    return encode_entry(entry).encode()


def document_id(source_file: str, line_number: int) -> ObjectId:
    """The unique key of a synced line: its file and line number, hashed into an ObjectId.

    It is the first 12 bytes of the JSONL source's entry id for the same line, so a line
    keeps one identity whichever way it is read, and a re-sync finds it already present.
    """
    return ObjectId(entry_id_for(source_file, line_number)[:24])


def to_document(
    entry: dict[str, Any],
    *,
    source_file: str,
    line_number: int,
    project_id: str,
    ingested_at: datetime,
    user_id: str | None = None,
    hostname: str | None = None,
) -> dict[str, Any]:
    """The document of one line; `userId`/`hostname` only when known (older syncs had none)."""
    document = {
        "_id": document_id(source_file, line_number),
        **entry,
        "projectId": project_id,
        "sourceFile": source_file,
        "ingestedAt": ingested_at,
    }
    if user_id is not None:
        document["userId"] = user_id
    if hostname is not None:
        document["hostname"] = hostname
    return document


def timestamp_text(value: Any) -> str | None:
    """The entry's timestamp as text, the way parsing sees it (BSON dates rendered ISO)."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return iso_millis(value)
    return None
