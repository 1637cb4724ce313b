"""When the jobs run on their own. All three start RUNNING: once `dagster-daemon` runs
(the compose stack, `make dev`), the platform keeps itself fresh; `dagster schedule stop`
turns one off. Times are UTC."""

from datetime import date, datetime, timedelta

import dagster as dg

from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from claude_analytics.defs.jobs import (
    FULL_REFRESH_RUN_CONFIG,
    daily_full_refresh,
    hourly_incremental,
    weekly_maintenance,
)
from claude_analytics.defs.partitions import PARTITION_START


def range_request(
    first: date,
    last: date,
    run_key: str,
    run_config: dict | None = None,
    tags: dict[str, str] | None = None,
) -> dg.RunRequest:
    """One run over the days [first, last]: the assets' single-run backfill policy lets a
    partitioned job own a whole window."""
    return dg.RunRequest(
        run_key=run_key,
        run_config=run_config or {},
        tags={
            **(tags or {}),
            PARTITION_RANGE_START_TAG: first.isoformat(),
            PARTITION_RANGE_END_TAG: last.isoformat(),
        },
    )


def hourly_window(now: datetime) -> tuple[date, date]:
    today = now.date()
    return max(today - timedelta(days=1), PARTITION_START), today


@dg.schedule(
    job=hourly_incremental,
    cron_schedule="5 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every hour at :05, yesterday's and today's partitions through to the marts.",
)
def hourly_incremental_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    first, last = hourly_window(context.scheduled_execution_time)
    return range_request(first, last, context.scheduled_execution_time.isoformat())


@dg.schedule(
    job=daily_full_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily at 02:00, every dbt model rebuilt with --full-refresh, then serving.",
)
def daily_full_refresh_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    # unpartitioned: the models are rebuilt from the whole warehouse, whatever its span
    return dg.RunRequest(
        run_key=context.scheduled_execution_time.isoformat(), run_config=FULL_REFRESH_RUN_CONFIG
    )


weekly_maintenance_schedule = dg.ScheduleDefinition(
    name="weekly_maintenance_schedule",
    job=weekly_maintenance,
    cron_schedule="0 3 * * 0",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Sundays 03:00: Iceberg compaction and snapshot expiry, DuckDB CHECKPOINT/ANALYZE.",
)
