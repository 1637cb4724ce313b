"""What the Dagster instance knows about data quality, as Arrow tables for the snapshot.

The dashboard and Metabase read only the serving snapshot, never the instance, so the
latest check results and materialisation times are copied into it when it is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg
import pyarrow as pa

if TYPE_CHECKING:
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecord

CHECK_RESULTS_SCHEMA = pa.schema(
    [
        pa.field("asset_key", pa.string()),
        pa.field("check_name", pa.string()),
        pa.field("passed", pa.bool_()),
        pa.field("severity", pa.string()),
        pa.field("evaluated_at", pa.timestamp("us", tz="UTC")),
        pa.field("run_id", pa.string()),
        pa.field("description", pa.string()),
    ]
)

MATERIALIZATIONS_SCHEMA = pa.schema(
    [
        pa.field("asset_key", pa.string()),
        pa.field("last_materialized_at", pa.timestamp("us", tz="UTC")),
    ]
)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


# Planned rows come first in a check's history while a run that planned it is in flight, or
# forever when that run died: they are skipped a page at a time until a completed one.
HISTORY_PAGE = 20


def _completed(record: AssetCheckExecutionRecord | None) -> bool:
    """A record that holds a result (passed or failed), not only a plan to evaluate."""
    return bool(
        record
        and record.event
        and record.event.dagster_event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    )


def latest_completed_evaluations(
    instance: dg.DagsterInstance, check_keys: Iterable[dg.AssetCheckKey]
) -> dict[dg.AssetCheckKey, AssetCheckExecutionRecord]:
    """The newest completed evaluation of each check; checks never completed are left out.

    The newest record of a check is often only planned: another run has started (an
    ad-hoc materialization plans its checks when it is created) or died before evaluating
    it. One query finds the newest record of every check; only the checks whose newest
    record is a plan read back through their history.
    """
    storage = instance.event_log_storage
    keys = list(check_keys)
    latest = storage.get_latest_asset_check_execution_by_key(keys) if keys else {}
    found: dict[dg.AssetCheckKey, AssetCheckExecutionRecord] = {}
    for key in keys:
        record = latest.get(key)
        if record is not None and not _completed(record):
            record = _completed_in_history(instance, key)
        if record is not None:
            found[key] = record
    return found


def _completed_in_history(
    instance: dg.DagsterInstance, key: dg.AssetCheckKey
) -> AssetCheckExecutionRecord | None:
    """The newest completed record of one check, reading its history newest first."""
    cursor: int | None = None
    while True:
        page = instance.event_log_storage.get_asset_check_execution_history(
            key, limit=HISTORY_PAGE, cursor=cursor
        )
        completed = next((record for record in page if _completed(record)), None)
        if completed is not None or len(page) < HISTORY_PAGE:
            return completed
        cursor = page[-1].id


def latest_check_results(
    instance: dg.DagsterInstance, check_keys: Iterable[dg.AssetCheckKey]
) -> pa.Table:
    """The newest completed evaluation of each check, sorted by asset and check name."""
    records = latest_completed_evaluations(instance, check_keys)
    rows = []
    for key in sorted(records, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        record = records[key]
        entry = record.event
        event = entry.dagster_event if entry else None
        evaluation = event.event_specific_data if event else None
        if entry is None or not isinstance(evaluation, dg.AssetCheckEvaluation):
            continue
        rows.append(
            {
                "asset_key": key.asset_key.to_user_string(),
                "check_name": key.name,
                "passed": bool(evaluation.passed),
                "severity": evaluation.severity.value,
                "evaluated_at": _utc(entry.timestamp),
                "run_id": record.run_id,
                "description": evaluation.description,
            }
        )
    return pa.Table.from_pylist(rows, schema=CHECK_RESULTS_SCHEMA)


def latest_materializations(instance: dg.DagsterInstance) -> pa.Table:
    """When each asset the instance knows was last materialised."""
    rows = []
    for key in sorted(instance.get_asset_keys(), key=lambda k: k.to_user_string()):
        event = instance.get_latest_materialization_event(key)
        if event is not None:
            rows.append(
                {"asset_key": key.to_user_string(), "last_materialized_at": _utc(event.timestamp)}
            )
    return pa.Table.from_pylist(rows, schema=MATERIALIZATIONS_SCHEMA)
