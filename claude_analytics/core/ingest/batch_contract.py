"""The pandera contract every extracted batch meets before it counts as loaded.

The parser already types fields; this schema checks what typing cannot: identities are
unique, every row lies in the run's window, turns carry a session and a time, and token
counts are not negative. Failures are summarised (counts and a few examples) for the
blocking check's metadata instead of raising, so one run reports every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from claude_analytics.core.contracts import TOKEN_COLUMNS, DateWindow
from claude_analytics.core.ingest.parse import TURN_TYPES

# raw_json can be megabytes per row: it is checked in Arrow, not copied into pandas.
LARGE_COLUMNS = ("raw_json",)
MAX_EXAMPLES = 5
# Columns the row-wide checks (`_turns_have`) read besides the schema's own.
ROW_CHECK_COLUMNS = ("entry_type", "session_id", "timestamp")


def _turns_have(column: str) -> pa.Check:
    return pa.Check(
        lambda df: ~df["entry_type"].isin(TURN_TYPES) | df[column].notna(),
        name=f"turns_have_{column}",
        error=f"user and assistant entries need {column}",
    )


def entry_schema(window: DateWindow) -> pa.DataFrameSchema:
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    tokens = {column: pa.Column("Int64", pa.Check.ge(0), nullable=True) for column in TOKEN_COLUMNS}
    return pa.DataFrameSchema(
        {
            "entry_id": pa.Column(str, nullable=False, unique=True),
            "entry_type": pa.Column(str, nullable=False),
            "event_date": pa.Column(
                "datetime64[ms]",
                [pa.Check.ge(start), pa.Check.lt(end)],
                nullable=False,
            ),
            "event_time": pa.Column(pd.DatetimeTZDtype("us", "UTC"), nullable=False),
            "line_number": pa.Column("Int64", pa.Check.ge(1), nullable=True),
            **tokens,
        },
        checks=[_turns_have("session_id"), _turns_have("timestamp")],
        strict=False,
    )


@dataclass
class BatchValidation:
    """Accumulated over the batches of a run."""

    batches: int = 0
    rows: int = 0
    failures: int = 0
    failures_by_check: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.failures == 0

    def add(self, check: str, count: int, example: dict[str, str]) -> None:
        self.failures += count
        self.failures_by_check[check] = self.failures_by_check.get(check, 0) + count
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(example)


def _to_pandas(entries: pyarrow.Table, only: frozenset[str] | None = None) -> pd.DataFrame:
    columns = [
        name
        for name in entries.column_names
        if name not in LARGE_COLUMNS and (only is None or name in only)
    ]
    mapping = {pyarrow.int64(): pd.Int64Dtype(), pyarrow.bool_(): pd.BooleanDtype()}
    return entries.select(columns).to_pandas(date_as_object=False, types_mapper=mapping.get)


def validate_batch(entries: pyarrow.Table, window: DateWindow, into: BatchValidation) -> None:
    """Validate one batch with pandera and add its failures to `into`."""
    into.batches += 1
    into.rows += entries.num_rows
    if entries.num_rows == 0:
        return
    filled = pc.sum(pc.greater(pc.utf8_length(entries["raw_json"]), 0)).as_py() or 0
    empty_raw = entries.num_rows - filled
    if empty_raw:
        into.add("raw_json_not_empty", int(empty_raw), {"check": "raw_json_not_empty"})
    schema = entry_schema(window)
    # Converting every string column to Python objects took most of the time, and nearly
    # every batch passes: validate the columns the checks read first. A batch that passes
    # there passes on every column (the checks are the same); one that fails is validated
    # again whole, because a row-wide check reports a failure case in every column.
    try:
        schema.validate(_to_pandas(entries, frozenset({*schema.columns, *ROW_CHECK_COLUMNS})))
        return
    except pa.errors.SchemaError:
        pass
    try:
        schema.validate(_to_pandas(entries), lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        for (column, check), group in cases.groupby(["column", "check"], dropna=False):
            name = f"{column}: {check}" if isinstance(column, str) else str(check)
            first = group.iloc[0]
            into.add(
                name,
                len(group),
                {"check": name, "failure_case": str(first["failure_case"])[:200]},
            )
