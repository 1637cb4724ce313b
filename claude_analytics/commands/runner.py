"""Running the whole graph from the CLI (what `make run` does) and summarising the result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg
import duckdb

from claude_analytics.commands.instance import get_instance
from claude_analytics.core.config import Settings
from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.warehouse.relations import relation_rows
from claude_analytics.defs.partitions import partition_bounds
from claude_analytics.defs.recovery import stale_runs
from claude_analytics.defs.resource_types import LogSourceResource

# The warehouse's schemas in pipeline order: how `run` and `status` list them.
WAREHOUSE_LAYERS = ("raw", "staging", "intermediate", "marts")


@dataclass(frozen=True)
class LayerCount:
    layer: str
    relation: str
    rows: int


def source_date_range(source: LogSourceResource) -> tuple[date, date] | None:
    """The partitions holding data, clamped to the partitions that exist. The resource is
    initialised here: its variables (`dg.EnvVar`) resolve only then."""
    with source.process_config_and_initialize_cm() as initialised:
        found = initialised.open().event_date_range()
    if found is None:
        return None
    first_partition, end = partition_bounds()
    last_partition = end - timedelta(days=1)
    first = min(max(found[0], first_partition), last_partition)
    last = max(min(found[1], last_partition), first)
    return first, last


def run_job_in_process(
    defs: dg.Definitions,
    settings: Settings,
    name: str,
    window: tuple[date, date] | None,
    run_config: dict | None = None,
    *,
    instance: dg.DagsterInstance | None = None,
    run_id: str | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute a job in this process against the home's Dagster instance.

    A partitioned job runs its whole window [first, last] as one single-run backfill.
    Runs whose process died first give back the pool slots they hold (`stale_runs`). A
    caller that follows the run's events passes the instance it listens on and the run id.
    The job runs with the resources `defs` binds (defs/resources.py), as in the code location.
    """
    job = defs.resolve_job_def(name)
    # INFO keeps progress (batches, dbt nodes) visible without every engine event.
    config: dict = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    config |= run_config or {}
    instance = instance or get_instance(settings)
    stale_runs.recover_stale_runs(instance, print)
    tags = stale_runs.run_tags()
    if job.partitions_def is not None:
        if window is None:
            raise ValueError(f"{name} is partitioned: it needs a window of days")
        tags |= {
            PARTITION_RANGE_START_TAG: window[0].isoformat(),
            PARTITION_RANGE_END_TAG: window[1].isoformat(),
        }
    return job.execute_in_process(
        run_config=config, instance=instance, tags=tags, raise_on_error=False, run_id=run_id
    )


def run_full_pipeline(
    defs: dg.Definitions, settings: Settings, first: date, last: date
) -> dg.ExecuteInProcessResult:
    """Materialise every asset for the days [first, last] in one run (single-run backfill)."""
    return run_job_in_process(defs, settings, "full_pipeline", (first, last))


def layer_counts(settings: Settings) -> list[LayerCount]:
    """Rows in each layer, read back from the lake and the warehouse themselves."""
    counts = [
        LayerCount("lake (Iceberg)", identifier, rows)
        for identifier, rows in lake.table_rows(lake.open_catalog(settings.lake_dir)).items()
    ]
    if not settings.duckdb_path.exists():
        return counts
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        for found in relation_rows(con, WAREHOUSE_LAYERS):
            counts.append(LayerCount(f"warehouse {found.schema}", found.relation, found.rows))
    return counts
