"""The weekly maintenance job on the REST catalog: compaction and snapshot expiry rewrite and
delete objects in the object store, counted by listing S3 itself."""

from __future__ import annotations

from datetime import timedelta

import pytest

from claude_analytics.core.config import load_settings
from claude_analytics.core.lake import catalog as lake
from claude_analytics_tests.e2e.test_maintenance import TODAY, _rows, run_weekly_maintenance
from claude_analytics_tests.support.seaweedfs import SeaweedLake


def _avro(objects: set[str]) -> set[str]:
    return {name for name in objects if name.endswith(".avro")}


def test_weekly_maintenance_compacts_and_expires_in_the_object_store(
    seaweed: SeaweedLake, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in seaweed.catalog_env(seaweed.create_table_bucket("maintenance")).items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    table = lake.ensure_table(lake.open_catalog(settings.lake_dir), lake.CONVERSATIONS)
    days = [TODAY - timedelta(days=1), TODAY, TODAY - timedelta(days=60)]
    for round_ in range(3):
        for index, day in enumerate(days):
            table.append(_rows(day, 4, offset=100 * index + 10 * round_))
    data, metadata = f"{table.location()}/data", f"{table.location()}/metadata"
    assert len(seaweed.objects(data)) == 9
    assert len(_avro(seaweed.objects(metadata))) == 9 * 2  # a manifest list + manifest each

    result = run_weekly_maintenance(settings)
    assert result.success
    compaction = result.asset_materializations_for_node("maintenance__iceberg_compaction")[0]
    assert compaction.metadata["conversations/partitions_compacted"].value == 2
    expiry = result.asset_materializations_for_node("maintenance__iceberg_snapshot_expiry")[0]
    assert expiry.metadata["conversations/snapshots_after"].value == 1
    # two recent days in one file each, the old day's three files untouched
    assert expiry.metadata["conversations/all_files_after"].value == len(seaweed.objects(data))
    assert len(seaweed.objects(data)) == 5
    assert expiry.metadata["conversations/deleted_files"].value > 0
    table.refresh()
    # the expired snapshots' manifest lists and manifests are gone from the store too
    referenced = {table.current_snapshot().manifest_list}
    referenced |= set(table.inspect.all_manifests()["path"].to_pylist())
    assert _avro(seaweed.objects(metadata)) == referenced
    ids = sorted(table.scan().to_arrow()["entry_id"].to_pylist())
    assert ids == sorted(
        f"e{100 * i + 10 * r + k}" for i in range(3) for r in range(3) for k in range(4)
    )
