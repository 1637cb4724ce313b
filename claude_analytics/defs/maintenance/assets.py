"""Weekly housekeeping as assets, so every run's effect (files, bytes) is on record."""

from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.core.config import resolve_path
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.lake import maintenance
from claude_analytics.defs.lake.assets import (
    ICEBERG_WRITER_POOL,
    LAKE_CONVERSATIONS,
    LAKE_DEAD_LETTERS,
)
from claude_analytics.defs.resource_types import LakeResource
from claude_analytics.defs.warehouse.assets import DUCKDB_WRITER_POOL, RAW_CONVERSATIONS

LAKE_TABLES = (lake.CONVERSATIONS, lake.DEAD_LETTERS)
COMPACTION = dg.AssetKey(["maintenance", "iceberg_compaction"])
SNAPSHOT_EXPIRY = dg.AssetKey(["maintenance", "iceberg_snapshot_expiry"])
DUCKDB_CHECKPOINT = dg.AssetKey(["maintenance", "duckdb_checkpoint"])


class CompactionConfig(dg.Config):
    recent_days: int = 14
    """Only days this recent are rewritten: older days stopped receiving small appends."""


class ExpiryConfig(dg.Config):
    older_than_days: int = 7
    """Snapshots older than this are expired (time travel keeps a week)."""
    keep_last: int = 5
    """The newest snapshots kept whatever their age, so a quiet lake keeps some history."""


def _table_metadata(identifier: str, before, after) -> dict[str, int]:
    name = identifier.split(".", 1)[1]
    return {
        f"{name}/{key}": value
        for key, value in {**before.as_metadata("before"), **after.as_metadata("after")}.items()
    }


@dg.asset(
    key=COMPACTION,
    deps=[LAKE_CONVERSATIONS, LAKE_DEAD_LETTERS],
    group_name="maintenance",
    kinds={"iceberg"},
    pool=ICEBERG_WRITER_POOL,
    description="Recent Iceberg partitions held in several small files, rewritten into one.",
)
def iceberg_compaction(
    context: dg.AssetExecutionContext, config: CompactionConfig, lake_catalog: LakeResource
) -> dg.MaterializeResult:
    since = datetime.now(UTC).date() - timedelta(days=config.recent_days)
    metadata: dict[str, object] = {"since": since.isoformat()}
    for identifier in LAKE_TABLES:
        result = maintenance.compact_recent_partitions(lake_catalog.table(identifier), since)
        context.log.info(f"{identifier}: compacted {result.partitions_compacted or 'nothing'}")
        metadata.update(_table_metadata(identifier, result.before, result.after))
        metadata[f"{identifier.split('.', 1)[1]}/partitions_compacted"] = len(
            result.partitions_compacted
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=SNAPSHOT_EXPIRY,
    deps=[COMPACTION],
    group_name="maintenance",
    kinds={"iceberg"},
    pool=ICEBERG_WRITER_POOL,
    description="Iceberg snapshots past retention expired; files only they used deleted.",
)
def iceberg_snapshot_expiry(
    context: dg.AssetExecutionContext, config: ExpiryConfig, lake_catalog: LakeResource
) -> dg.MaterializeResult:
    older_than = datetime.now(UTC) - timedelta(days=config.older_than_days)
    metadata: dict[str, object] = {
        "older_than": older_than.isoformat(),
        "keep_last": config.keep_last,
    }
    for identifier in LAKE_TABLES:
        result = maintenance.expire_snapshots(
            lake_catalog.table(identifier), older_than, config.keep_last
        )
        name = identifier.split(".", 1)[1]
        context.log.info(
            f"{identifier}: {result.expired_snapshots} snapshots expired, "
            f"{result.deleted_files} files deleted"
        )
        metadata.update(_table_metadata(identifier, result.before, result.after))
        metadata[f"{name}/expired_snapshots"] = result.expired_snapshots
        metadata[f"{name}/deleted_files"] = result.deleted_files
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=DUCKDB_CHECKPOINT,
    deps=[RAW_CONVERSATIONS],
    group_name="maintenance",
    kinds={"duckdb"},
    pool=DUCKDB_WRITER_POOL,
    description="The warehouse's WAL checkpointed into the file and its statistics refreshed.",
)
def duckdb_checkpoint(duckdb: DuckDBResource) -> dg.MaterializeResult:
    path = resolve_path(duckdb.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.get_connection() as con:
        result = maintenance.checkpoint_and_analyze(con, path)
    return dg.MaterializeResult(metadata=dict(vars(result)))
