"""Results of the lake's quality gates, computed while the extract runs.

The checks need what only the extract sees (each batch before it is written, the lines
each day received), so the lake asset yields them; this module turns its tallies into
check results. Blocking ones stop everything downstream of the lake in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import dagster as dg

from claude_analytics.core.ingest.batch_contract import BatchValidation
from claude_analytics.core.ingest.drift import DriftReport

BATCH_SCHEMA = "batch_schema"
SOURCE_PARITY = "source_parity"
DEAD_LETTER_RATE = "dead_letter_rate"
SCHEMA_DRIFT = "schema_drift"


def check_specs(asset: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            BATCH_SCHEMA,
            asset=asset,
            blocking=True,
            description="pandera: every extracted batch meets the entry contract.",
        ),
        dg.AssetCheckSpec(
            SOURCE_PARITY,
            asset=asset,
            blocking=True,
            description="Per day: source lines = lake rows + dead letters; no line lost.",
        ),
        dg.AssetCheckSpec(
            DEAD_LETTER_RATE,
            asset=asset,
            blocking=True,
            description="Dead letters stay under the configured share of source lines.",
        ),
        dg.AssetCheckSpec(
            SCHEMA_DRIFT,
            asset=asset,
            description="New entry types or top-level fields, with examples (warning only).",
        ),
    ]


@dataclass
class ExtractTally:
    """What the extract counted, batch by batch."""

    lines_by_day: dict[date, int] = field(default_factory=dict)
    unaccounted_lines: int = 0
    redactions: dict[str, int] = field(default_factory=dict)
    validation: BatchValidation = field(default_factory=BatchValidation)
    drift: DriftReport = field(default_factory=DriftReport)

    def add_counts(
        self, lines_by_day: dict[date, int], unaccounted: int, redactions: dict[str, int]
    ) -> None:
        for day, n in lines_by_day.items():
            self.lines_by_day[day] = self.lines_by_day.get(day, 0) + n
        self.unaccounted_lines += unaccounted
        for kind, n in redactions.items():
            self.redactions[kind] = self.redactions.get(kind, 0) + n

    @property
    def source_lines(self) -> int:
        return sum(self.lines_by_day.values())


def batch_schema_result(asset: dg.AssetKey, tally: ExtractTally) -> dg.AssetCheckResult:
    validation = tally.validation
    return dg.AssetCheckResult(
        check_name=BATCH_SCHEMA,
        asset_key=asset,
        passed=validation.passed,
        metadata={
            "batches": validation.batches,
            "rows_validated": validation.rows,
            "failures": validation.failures,
            "failures_by_check": validation.failures_by_check,
            "examples": validation.examples,
        },
    )


def parity_result(
    asset: dg.AssetKey,
    tally: ExtractTally,
    lake_entries: dict[date, int],
    lake_letters: dict[date, int],
) -> dg.AssetCheckResult:
    days = sorted(set(tally.lines_by_day) | set(lake_entries) | set(lake_letters))
    mismatched = {
        day.isoformat(): {
            "source_lines": tally.lines_by_day.get(day, 0),
            "lake_rows": lake_entries.get(day, 0),
            "dead_letters": lake_letters.get(day, 0),
        }
        for day in days
        if tally.lines_by_day.get(day, 0) != lake_entries.get(day, 0) + lake_letters.get(day, 0)
    }
    return dg.AssetCheckResult(
        check_name=SOURCE_PARITY,
        asset_key=asset,
        passed=not mismatched and tally.unaccounted_lines == 0,
        metadata={
            "days_checked": len(days),
            "source_lines": tally.source_lines,
            "lake_rows": sum(lake_entries.values()),
            "dead_letters": sum(lake_letters.values()),
            "unaccounted_lines": tally.unaccounted_lines,
            "mismatched_days": mismatched,
        },
    )


def dead_letter_rate_result(
    asset: dg.AssetKey, tally: ExtractTally, dead_letters: int, max_rate: float
) -> dg.AssetCheckResult:
    rate = dead_letters / tally.source_lines if tally.source_lines else 0.0
    return dg.AssetCheckResult(
        check_name=DEAD_LETTER_RATE,
        asset_key=asset,
        passed=rate <= max_rate,
        metadata={
            "dead_letters": dead_letters,
            "source_lines": tally.source_lines,
            "rate": dg.MetadataValue.float(round(rate, 6)),
            "max_rate": dg.MetadataValue.float(max_rate),
        },
    )


def drift_result(asset: dg.AssetKey, tally: ExtractTally) -> dg.AssetCheckResult:
    drift = tally.drift
    return dg.AssetCheckResult(
        check_name=SCHEMA_DRIFT,
        asset_key=asset,
        passed=not drift.drifted,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"new_entry_types": drift.entry_types, "new_fields": drift.fields},
    )
