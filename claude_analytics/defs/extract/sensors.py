"""Runs for exactly the days that received new MongoDB documents or new JSONL lines.

Each sensor starts RUNNING where its source is the configured one (MONGO_URI set; a JSONL
directory in CLAUDE_LOGS_DIR without MONGO_URI) and STOPPED elsewhere: a sensor with nothing
to watch only fills the UI's tick history. Turned on or off in the UI, it keeps that state
across restarts.
"""

from collections.abc import Callable
from datetime import timedelta

import dagster as dg

from claude_analytics.core.config import resolve_path
from claude_analytics.core.sources import jsonl_changes
from claude_analytics.core.sources.mongo.changes import ChangeCursor, find_changes, observe, run_key
from claude_analytics.defs.extract.assets import MONGODB_CONVERSATIONS
from claude_analytics.defs.jobs import full_pipeline
from claude_analytics.defs.partitions import partition_bounds
from claude_analytics.defs.resource_types import LogSourceResource, MongoResource
from claude_analytics.defs.resources import settings_at_load
from claude_analytics.defs.schedules import range_request

CHANGED_DAYS_TAG = "claude_analytics/changed_days"


def new_documents(context: dg.SensorEvaluationContext, mongo: MongoResource) -> dg.SensorResult:
    if not mongo.configured:
        return dg.SensorResult(skip_reason="MONGO_URI is not set: the source is not MongoDB.")
    cursor = ChangeCursor.from_json(context.cursor)
    first, end = partition_bounds()
    target = mongo.target()
    with target.open() as collection:
        changes = find_changes(
            target,
            collection,
            cursor,
            first_day=first,
            last_day=end - timedelta(days=1),
        )
        observed = observe(target, collection)
    events: list[dg.AssetObservation] = []
    if observed != cursor.observed:
        count, latest = observed
        events.append(
            dg.AssetObservation(
                asset_key=MONGODB_CONVERSATIONS,
                metadata={
                    "documents": count,
                    "latest_ingested_at": latest or "",
                    "server": target.server,
                },
            )
        )
    next_cursor = ChangeCursor(
        ingested_at=changes.cursor.ingested_at, ids_at=changes.cursor.ids_at, observed=observed
    )
    if not changes.days:
        return dg.SensorResult(
            skip_reason=f"No documents ingested since {cursor.ingested_at or 'the start'}.",
            cursor=next_cursor.to_json(),
            asset_events=events,
        )
    context.log.info(
        f"{changes.documents} new documents on {len(changes.days)} day(s)"
        + (" (more to read next tick)" if changes.more else "")
    )
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=run_key(change, next_cursor),
                partition_key=change.day.isoformat(),
                tags={"claude_analytics/new_documents": str(change.documents)},
            )
            for change in changes.days
        ],
        cursor=next_cursor.to_json(),
        asset_events=events,
    )


def _source_sensor(
    name: str,
    evaluate: Callable[..., dg.SensorResult],
    interval_seconds: int,
    running: bool,
    description: str,
) -> dg.SensorDefinition:
    """A sensor on one source that requests `full_pipeline` runs, RUNNING only where that
    source is the configured one, and STOPPED until someone turns it on elsewhere."""
    return dg.sensor(
        name=name,
        job=full_pipeline,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING
        if running
        else dg.DefaultSensorStatus.STOPPED,
        description=description,
    )(evaluate)


def mongodb_sensor(running: bool) -> dg.SensorDefinition:
    return _source_sensor(
        "mongodb_new_documents",
        new_documents,
        60,
        running,
        "Watches ingestedAt on the MongoDB collection and requests a run for each event "
        "day that got new documents, so a late entry reloads its own day. Starts running "
        "only where MONGO_URI is set.",
    )


def new_lines(context: dg.SensorEvaluationContext, source: LogSourceResource) -> dg.SensorResult:
    if source.mongo.configured or not source.logs_dir:
        return dg.SensorResult(
            skip_reason="The source is not a JSONL directory: CLAUDE_LOGS_DIR is unset or "
            "MONGO_URI is set."
        )
    root = resolve_path(source.logs_dir)
    if not root.is_dir():
        return dg.SensorResult(skip_reason=f"The logs directory {root} does not exist (yet).")
    cursor = jsonl_changes.FileCursor.from_json(context.cursor)
    first, end = partition_bounds()
    changes = jsonl_changes.find_changes(
        root, cursor, first_day=first, last_day=end - timedelta(days=1)
    )
    days = changes.days
    if not days:
        return dg.SensorResult(
            skip_reason=f"No new lines in the {len(changes.cursor.files)} transcripts.",
            cursor=changes.cursor.to_json(),
        )
    context.log.info(
        f"{len(changes.files)} new or grown file(s), {changes.new_bytes:,} new bytes, "
        f"on {len(days)} day(s): {days[0]} to {days[-1]}"
    )
    # one run over the window: the partitioned assets take it in a single run, and its
    # days without new lines cost nothing
    tags = {
        CHANGED_DAYS_TAG: ",".join(day.isoformat() for day in days),
        "claude_analytics/changed_files": str(len(changes.files)),
    }
    return dg.SensorResult(
        run_requests=[range_request(days[0], days[-1], changes.run_key(), tags=tags)],
        cursor=changes.cursor.to_json(),
    )


def jsonl_sensor(running: bool) -> dg.SensorDefinition:
    return _source_sensor(
        "jsonl_new_lines",
        new_lines,
        30,
        running,
        "Watches the JSONL directory (CLAUDE_LOGS_DIR) for new and grown transcripts, by "
        "size and modification time, and requests one run over the days their new lines "
        "fall on, so a conversation reaches the marts within a minute or two. Starts "
        "running only where the source is a JSONL directory.",
    )


@dg.definitions
def sensors() -> dg.Definitions:
    settings = settings_at_load()
    return dg.Definitions(
        sensors=[
            mongodb_sensor(running=settings.mongo_configured),
            jsonl_sensor(running=settings.source_kind == "jsonl"),
        ]
    )
