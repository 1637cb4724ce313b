"""The shapes every step agrees on: a source's raw lines, the lake's entries and dead
letters, the window a run owns, and the run tags Dagster's CLI writes.

They live here, not beside their first user, so the lake, the warehouse and the serving
snapshot read one contract without importing the parser or a source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

RAW_LINE_SCHEMA = pa.schema(
    [
        pa.field("entry_id", pa.string(), nullable=False),
        pa.field("source_file", pa.string()),
        pa.field("line_number", pa.int64()),
        pa.field("project_id", pa.string()),
        pa.field("line", pa.binary()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)
# A batch may add this column: the reason a whole file (or folder) could not be read, on a
# row of its own with no line, which parsing turns into one dead letter instead of failing.
FAULT_FIELD = pa.field("fault", pa.string())
# A batch may add these too: who wrote the line and on which machine (a synced document's
# `userId` and `hostname`, or the identity of a JSONL run); missing means unknown.
IDENTITY_FIELDS = (pa.field("user_id", pa.string()), pa.field("hostname", pa.string()))


@dataclass(frozen=True)
class DateWindow:
    """Half-open window of event dates [start, end) that one run is responsible for."""

    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end


ENTRY_SCHEMA = pa.schema(
    [
        pa.field("entry_id", pa.string(), nullable=False),
        pa.field("source_file", pa.string()),
        pa.field("line_number", pa.int64()),
        pa.field("project_id", pa.string()),
        pa.field("entry_type", pa.string()),
        pa.field("uuid", pa.string()),
        pa.field("parent_uuid", pa.string()),
        pa.field("session_id", pa.string()),
        pa.field("timestamp", pa.timestamp("us", tz="UTC")),
        pa.field("event_time", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("is_sidechain", pa.bool_()),
        pa.field("user_type", pa.string()),
        pa.field("cwd", pa.string()),
        pa.field("git_branch", pa.string()),
        pa.field("version", pa.string()),
        pa.field("request_id", pa.string()),
        pa.field("message_id", pa.string()),
        pa.field("message_role", pa.string()),
        pa.field("model", pa.string()),
        pa.field("stop_reason", pa.string()),
        pa.field("input_tokens", pa.int64()),
        pa.field("output_tokens", pa.int64()),
        pa.field("cache_creation_input_tokens", pa.int64()),
        pa.field("cache_read_input_tokens", pa.int64()),
        pa.field("is_api_error_message", pa.bool_()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
        pa.field("raw_json", pa.string(), nullable=False),
        # last: a lake or warehouse made before they existed gains them at its end
        *IDENTITY_FIELDS,
    ]
)

DEAD_LETTER_SCHEMA = pa.schema(
    [
        pa.field("entry_id", pa.string(), nullable=False),
        pa.field("source_file", pa.string()),
        pa.field("line_number", pa.int64()),
        pa.field("project_id", pa.string()),
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("raw_text", pa.string()),
        pa.field("raw_text_length", pa.int64()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
        pa.field("run_id", pa.string()),
    ]
)


# The four token counts of a response, in the order every table and report shows them.
TOKEN_COLUMNS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)

# The tags Dagster's CLI and UI put on a run over a range of partitions (a backfill, or
# `--partition-range`); the in-process runner and the schedules write the same ones, and the
# failure alerts read them back.
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
