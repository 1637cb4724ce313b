"""The whole pipeline on an Iceberg REST catalog over object storage (SeaweedFS), by
configuration only: the same rows, checks and marts as the local default lake."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb

from claude_analytics.core.config import secret_values
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.warehouse import anomalies
from claude_analytics_tests.conftest import count_source_lines
from claude_analytics_tests.e2e.remote_lake.conftest import (
    BROKEN_LINES,
    FIRST,
    LAST,
    Builds,
)
from claude_analytics_tests.support.seaweedfs import SeaweedLake
from claude_analytics_tests.support.warehouse_build import BuiltWarehouse

# Columns that record when or by which run a row was written, not what it says.
RUN_COLUMNS = {"_loaded_at", "loaded_at", "run_id"}


def _remote_table(identifier: str):
    return lake.open_catalog(Path("/nonexistent")).load_table(identifier)


def _fingerprints(built: BuiltWarehouse, schema: str) -> dict[str, tuple[int, int]]:
    """Rows and an order-free hash of every table of a schema, run columns left out.

    Floating-point sums depend on the order DuckDB's threads add them in, so doubles are
    compared to 9 decimals (the costs are in USD).
    """
    with duckdb.connect(str(built.duckdb_path), read_only=True) as con:
        columns: dict[str, list[str]] = {}
        for table, column, kind in con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = ? order by table_name, ordinal_position",
            [schema],
        ).fetchall():
            if column not in RUN_COLUMNS:
                value = f'round("{column}", 9)' if kind in ("DOUBLE", "FLOAT") else f'"{column}"'
                columns.setdefault(table, []).append(value)
        return {
            table: tuple(
                con.execute(
                    f"select count(*), coalesce(sum(hash({', '.join(values)})), 0) "
                    f'from "{schema}"."{table}"'
                ).fetchone()
            )
            for table, values in columns.items()
        }


def _checks(built: BuiltWarehouse) -> dict[str, bool]:
    return {name: bool(e.passed) for name, e in built.check_results().items()}


def _raw_hashes(built: BuiltWarehouse) -> dict[tuple[str, str], str]:
    """The per-day content hashes the warehouse load records (run ids left out)."""
    hashes: dict[tuple[str, str], str] = {}
    for event in built.result.get_asset_materialization_events():
        materialization = event.materialization
        by_day = materialization.metadata.get("content_hash_by_day")
        if materialization.asset_key.path[0] == "raw" and by_day is not None:
            key = "/".join(materialization.asset_key.path)
            hashes.update({(key, day): value for day, value in by_day.value.items()})
    return hashes


def test_the_lake_lives_in_the_object_store_behind_the_catalog(
    remote_catalog: Builds, seaweed: SeaweedLake
) -> None:
    builds = remote_catalog
    for identifier in (lake.CONVERSATIONS, lake.DEAD_LETTERS):
        table = _remote_table(identifier)
        assert table.location().startswith("s3://pipeline-lake/raw/")
        planned = {task.file.file_path for task in table.scan().plan_files()}
        assert planned and all(path.startswith("s3://pipeline-lake/") for path in planned)
        assert planned <= seaweed.objects(f"{table.location()}/data")
    # nothing of the lake was written under the home
    assert not (builds.remote.home / "lake").exists()
    assert (builds.local.home / "lake" / "catalog.db").exists()


def test_rows_checks_and_marts_equal_the_local_default(remote_catalog: Builds) -> None:
    builds = remote_catalog
    entries = count_source_lines(builds.remote.logs_dir)
    conversations = _remote_table(lake.CONVERSATIONS)
    letters = _remote_table(lake.DEAD_LETTERS)
    lake_rows = conversations.scan(selected_fields=("entry_id",)).to_arrow().num_rows
    lake_letters = letters.scan(selected_fields=("entry_id",)).to_arrow().num_rows
    assert (lake_rows, lake_letters) == (entries - len(BROKEN_LINES), len(BROKEN_LINES))
    assert lake.counts_by_date(conversations, FIRST, LAST + timedelta(days=1)) == {
        day: n
        for day, n in builds.remote.rows(
            "select event_date, count(*) from raw.conversations group by all"
        )
    }

    hashes = _raw_hashes(builds.remote)
    assert hashes == _raw_hashes(builds.local)
    days = builds.remote.rows("select distinct event_date::varchar from raw.conversations")
    assert {day for key, day in hashes if key == "raw/conversations"} == {d for (d,) in days}
    assert _checks(builds.remote) == _checks(builds.local)
    # the sample's planted anomalies warn on both (marts/test_insights.py); nothing else fails
    failed = {name for name, passed in _checks(builds.remote).items() if not passed}
    assert failed == set(anomalies.CHECKS)
    for schema in ("raw", "staging", "intermediate", "marts"):
        remote, local = _fingerprints(builds.remote, schema), _fingerprints(builds.local, schema)
        assert remote == local, schema
    assert builds.remote.value("select sum(entries) from marts.agg_daily_summary") == lake_rows


def test_catalog_credentials_never_reach_files_logs_or_metadata(builds: Builds) -> None:
    secrets = [
        builds.catalog["PYICEBERG_CATALOG__DEFAULT__CREDENTIAL"],
        builds.catalog["AWS_SECRET_ACCESS_KEY"],
    ]
    # Everything the run left under its home: Dagster's event log and run storage, dbt's
    # logs and target, the DuckDB files, the serving snapshot, the dashboard.
    for path in builds.remote.home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, path
    for event in builds.remote.result.all_events:
        text = repr(event)
        assert not any(secret in text for secret in secrets)


def test_the_catalog_secrets_are_scrubbed_from_alerts(remote_catalog: Builds) -> None:
    builds = remote_catalog
    scrubbed = secret_values()
    assert builds.catalog["PYICEBERG_CATALOG__DEFAULT__CREDENTIAL"] in scrubbed
    assert builds.catalog["AWS_SECRET_ACCESS_KEY"] in scrubbed
    assert builds.catalog["AWS_ACCESS_KEY_ID"] not in scrubbed  # an identifier, not a secret
