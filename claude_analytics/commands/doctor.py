"""`claude-analytics doctor`: is every part of the platform where it should be?"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import dagster as dg
import typer
from rich.console import Console
from rich.table import Table

from claude_analytics.commands.instance import get_instance
from claude_analytics.core.config import Settings, load_settings
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.sources.jsonl import JsonlDirectorySource
from claude_analytics.core.warehouse.file import REPAIR_HINT
from claude_analytics.core.warehouse.locks import probe_lock
from claude_analytics.defs.recovery import stale_runs

Status = Literal["OK", "WARN", "FAIL"]
console = Console()

MONGO_TIMEOUT_MS = 3_000
# The hourly job refreshes raw; the daily job the marts. Older than this, a schedule is off.
STALE_AFTER = {
    "lake": timedelta(hours=3),
    "warehouse raw": timedelta(hours=3),
    "marts": timedelta(hours=26),
}
LAYER_KEYS = {
    "lake": dg.AssetKey(["lake", "raw", "conversations"]),
    "warehouse raw": dg.AssetKey(["raw", "conversations"]),
    "marts": dg.AssetKey(["marts", "agg_daily_summary"]),
}
DISK_FAIL_BYTES = 1 << 30
DISK_WARN_FRACTION = 0.10
# Indexes the extraction and the sensor query by; missing ones make every run a full scan.
MONGO_INDEXED_FIELDS = ("ingestedAt", "timestamp")


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str


def _human_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size} B"


def _mongo_hosts(uri: str) -> str:
    """The hosts of a MongoDB URI, never its user or password."""
    from pymongo.uri_parser import parse_uri

    try:
        return ",".join(f"{host}:{port}" for host, port in parse_uri(uri)["nodelist"])
    except Exception:
        return "the configured MongoDB"


def check_mongodb(uri: str, database: str, collection: str) -> Check:
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    where = f"{_mongo_hosts(uri)} {database}.{collection}"
    client: MongoClient = MongoClient(
        uri, serverSelectionTimeoutMS=MONGO_TIMEOUT_MS, connectTimeoutMS=MONGO_TIMEOUT_MS
    )
    try:
        db = client[database]
        db.command("ping")
        if collection not in db.list_collection_names():
            return Check("source", "FAIL", f"MongoDB {where}: the collection does not exist")
        indexed = {
            field
            for spec in db[collection].index_information().values()
            for field, _ in spec["key"]
        }
        missing = [field for field in MONGO_INDEXED_FIELDS if field not in indexed]
        documents = db[collection].estimated_document_count()
        if missing:
            return Check(
                "source", "WARN", f"MongoDB {where}: {documents:,} documents, no index on {missing}"
            )
        return Check("source", "OK", f"MongoDB {where}: {documents:,} documents, indexes present")
    except PyMongoError as error:
        # pymongo's messages name hosts, never credentials; the class says enough anyway.
        return Check("source", "FAIL", f"MongoDB {where} unreachable ({type(error).__name__})")
    finally:
        client.close()


def check_source(settings: Settings) -> Check:
    if settings.mongo_configured:
        # Settings deliberately keeps no URI (it may hold a password): read it only here,
        # hand it to pymongo, and print nothing but its hosts.
        uri = os.environ["MONGO_URI"]
        return check_mongodb(uri, settings.mongo_db, settings.mongo_collection)
    if settings.logs_dir is not None:
        if not settings.logs_dir.is_dir():
            return Check("source", "FAIL", f"JSONL directory {settings.logs_dir} does not exist")
        return check_jsonl_directory(JsonlDirectorySource(settings.logs_dir))
    return Check("source", "OK", "bundled sample (set CLAUDE_LOGS_DIR or MONGO_URI for real logs)")


# Faulty files named in the detail, the rest counted.
FAULTS_SHOWN = 5


def check_jsonl_directory(source: JsonlDirectorySource) -> Check:
    """Files, bytes, and the files that cannot be read (each is a dead letter of a run)."""
    listing = source.diagnose()
    readable = [item for item in listing if item.fault is None]
    faulty = [item for item in listing if item.fault is not None]
    size = sum(item.size for item in readable)
    detail = f"JSONL directory {source.root}: {len(readable)} files, {_human_bytes(size)}"
    if faulty:
        shown = ", ".join(f"{item.name} ({item.fault})" for item in faulty[:FAULTS_SHOWN])
        more = f" and {len(faulty) - FAULTS_SHOWN} more" if len(faulty) > FAULTS_SHOWN else ""
        detail += f"; {len(faulty)} cannot be read, each loads as a dead letter: {shown}{more}"
    return Check("source", "OK" if readable and not faulty else "WARN", detail)


def check_lake(settings: Settings) -> Check:
    try:
        catalog = lake.open_catalog(settings.lake_dir)
        parts = []
        for identifier in (lake.CONVERSATIONS, lake.DEAD_LETTERS):
            if not catalog.table_exists(identifier):
                return Check(
                    "iceberg catalog", "WARN", f"{identifier} not created yet: run the pipeline"
                )
            table = catalog.load_table(identifier)
            snapshot = table.current_snapshot()
            rows = int(snapshot.summary["total-records"]) if snapshot and snapshot.summary else 0
            missing = lake.missing_files(table)
            if missing:
                return Check(
                    "iceberg catalog",
                    "FAIL",
                    f"{identifier}: {len(missing)} file(s) of its current snapshot are missing "
                    f"(e.g. {missing[0]}); {lake.MISSING_FILES_HINT}",
                )
            parts.append(f"{identifier} {rows:,} rows, {len(table.metadata.snapshots)} snapshots")
        return Check("iceberg catalog", "OK", "; ".join(parts) + "; every data file present")
    except Exception as error:
        return Check("iceberg catalog", "FAIL", f"cannot open the catalog: {error}")


def check_warehouse(settings: Settings) -> Check:
    path = settings.duckdb_path
    if not path.exists():
        return Check("duckdb file", "WARN", f"{path} does not exist yet: run the pipeline")
    size = _human_bytes(path.stat().st_size)
    try:
        holder = probe_lock(path)
    except Exception as error:
        return Check(
            "duckdb file", "FAIL", f"{path} ({size}) cannot be opened: {error}; {REPAIR_HINT}"
        )
    if holder is not None:
        return Check(
            "duckdb file", "WARN", f"{path} ({size}) locked by PID {holder} (a run writing?)"
        )
    return Check("duckdb file", "OK", f"{path} ({size}), not locked")


def check_runs(instance: dg.DagsterInstance) -> Check:
    runs = instance.get_runs(limit=1, filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]))
    failed = instance.get_runs(
        limit=1, filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE])
    )
    if not runs:
        return Check("latest successful run", "WARN", "no successful run recorded yet")
    run = runs[0]
    record = instance.get_run_record_by_id(run.run_id)
    ended = record.end_time if record and record.end_time else None
    when = datetime.fromtimestamp(ended, UTC).strftime("%Y-%m-%d %H:%M UTC") if ended else "?"
    detail = f"{run.job_name} {run.run_id[:8]} ended {when}"
    if failed:
        failed_record = instance.get_run_record_by_id(failed[0].run_id)
        if failed_record and ended and failed_record.create_timestamp.timestamp() > ended:
            return Check(
                "latest successful run",
                "WARN",
                f"{detail}; a later run failed: {failed[0].job_name} {failed[0].run_id[:8]}",
            )
    return Check("latest successful run", "OK", detail)


def check_stale_runs(instance: dg.DagsterInstance, fix: bool) -> Check:
    """Runs whose process died and the pool slots they hold (every later run waits on them)."""
    stale = stale_runs.find_stale_runs(instance, include_launched=True)
    if not stale:
        return Check("stale runs", "OK", "no run holds a slot or a status its process lost")
    listed = "; ".join(found.describe() for found in stale)
    if fix:
        stale_runs.recover(instance, stale, lambda _: None)
        return Check("stale runs", "OK", f"recovered (marked failed, slots freed): {listed}")
    return Check(
        "stale runs",
        "FAIL",
        f"{listed}. Later runs wait for these slots: `claude-analytics doctor --fix` marks "
        "the runs failed and frees them",
    )


def check_freshness(instance: dg.DagsterInstance, now: float) -> list[Check]:
    checks = []
    for layer, key in LAYER_KEYS.items():
        event = instance.get_latest_materialization_event(key)
        if event is None:
            checks.append(
                Check(f"freshness: {layer}", "WARN", f"{key.to_user_string()} never materialised")
            )
            continue
        age = timedelta(seconds=now - event.timestamp)
        status: Status = "OK" if age <= STALE_AFTER[layer] else "WARN"
        hours = age.total_seconds() / 3600
        checks.append(
            Check(
                f"freshness: {layer}",
                status,
                f"{key.to_user_string()} materialised {hours:.1f} h ago",
            )
        )
    return checks


def check_disk(settings: Settings) -> Check:
    target = settings.home if settings.home.exists() else settings.home.parent
    usage = shutil.disk_usage(target)
    detail = f"{_human_bytes(usage.free)} free of {_human_bytes(usage.total)} at {target}"
    if usage.free < DISK_FAIL_BYTES:
        return Check("free disk", "FAIL", detail)
    if usage.free < usage.total * DISK_WARN_FRACTION:
        return Check("free disk", "WARN", detail)
    return Check("free disk", "OK", detail)


def run_checks(settings: Settings, fix: bool = False) -> list[Check]:
    checks: list[Check] = [check_source(settings), check_lake(settings), check_warehouse(settings)]
    try:
        instance = get_instance(settings)
    except Exception as error:
        checks.append(Check("dagster instance", "FAIL", f"cannot open DAGSTER_HOME: {error}"))
    else:
        checks.append(check_runs(instance))
        checks.append(check_stale_runs(instance, fix))
        checks.extend(check_freshness(instance, time.time()))
    checks.append(check_disk(settings))
    return checks


STYLE = {"OK": "green", "WARN": "yellow", "FAIL": "bold red"}


def doctor(
    fix: Annotated[
        bool, typer.Option(help="Mark runs whose process died failed and free their pool slots.")
    ] = False,
) -> None:
    """Check the source, the lake, the warehouse, the runs, freshness and disk; exit 1 on FAIL."""
    checks = run_checks(load_settings(), fix)
    table = Table(title="claude-analytics doctor")
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for check in checks:
        table.add_row(check.name, f"[{STYLE[check.status]}]{check.status}[/]", check.detail)
    console.print(table)
    if any(check.status == "FAIL" for check in checks):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
