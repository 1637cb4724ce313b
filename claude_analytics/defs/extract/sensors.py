"""Runs for exactly the days that received new MongoDB documents.

The sensor starts RUNNING where MONGO_URI is set and STOPPED elsewhere: on a JSONL or sample
source it has nothing to watch, and a sensor that skips every minute only fills the UI's
tick history. Turned on or off in the UI, it keeps that state across restarts.
"""

from datetime import timedelta

import dagster as dg

from claude_analytics.defs.extract.assets import MONGODB_CONVERSATIONS
from claude_analytics.defs.jobs import full_pipeline
from claude_analytics.lib.mongo.changes import ChangeCursor, find_changes, observe, run_key
from claude_analytics.lib.partitions import partition_bounds
from claude_analytics.lib.resources import MongoResource
from claude_analytics.lib.settings import load_settings


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


def mongodb_sensor(running: bool) -> dg.SensorDefinition:
    """The `mongodb_new_documents` sensor, RUNNING or STOPPED until someone changes it."""
    return dg.sensor(
        name="mongodb_new_documents",
        job=full_pipeline,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING
        if running
        else dg.DefaultSensorStatus.STOPPED,
        description=(
            "Watches ingestedAt on the MongoDB collection and requests a run for each event "
            "day that got new documents, so a late entry reloads its own day. Starts running "
            "only where MONGO_URI is set."
        ),
    )(new_documents)


@dg.definitions
def sensors() -> dg.Definitions:
    return dg.Definitions(sensors=[mongodb_sensor(running=load_settings().mongo_configured)])
