"""What the Dagster instance knows about data quality, as Arrow tables for the snapshot.

The dashboard and Metabase read only the serving snapshot, never the instance, so the
latest check results and materialisation times are copied into it when it is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import dagster as dg
import pyarrow as pa

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


def latest_check_results(
    instance: dg.DagsterInstance, check_keys: Iterable[dg.AssetCheckKey]
) -> pa.Table:
    """The newest evaluation of each check; checks never evaluated are left out."""
    rows = []
    for key in sorted(check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        record = instance.get_latest_asset_check_evaluation_record(key)
        entry = record.event if record else None
        event = entry.dagster_event if entry else None
        evaluation = event.event_specific_data if event else None
        if record is None or entry is None or evaluation is None:
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
