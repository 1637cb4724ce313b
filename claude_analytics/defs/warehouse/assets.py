"""Load a date window of the lake into DuckDB's `raw` schema, one transaction per table."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.defs.lake.assets import LAKE_CONVERSATIONS, LAKE_DEAD_LETTERS
from claude_analytics.lib import lake, warehouse
from claude_analytics.lib.fingerprint import partition_hashes
from claude_analytics.lib.freshness import HOURLY_FRESHNESS
from claude_analytics.lib.partitions import daily_partitions
from claude_analytics.lib.resources import LakeResource
from claude_analytics.lib.windows import run_window

RAW_CONVERSATIONS = dg.AssetKey(["raw", "conversations"])
RAW_DEAD_LETTERS = dg.AssetKey(["raw", "dead_letters"])
DUCKDB_WRITER_POOL = "duckdb_writer"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RAW_CONVERSATIONS,
            description="DuckDB copy of the lake's entries: the input of every dbt model.",
            deps=[LAKE_CONVERSATIONS],
            kinds={"duckdb"},
            group_name="warehouse",
            freshness_policy=HOURLY_FRESHNESS,
        ),
        dg.AssetSpec(
            RAW_DEAD_LETTERS,
            description="DuckDB copy of the dead letters, so they can be queried beside the data.",
            deps=[LAKE_DEAD_LETTERS],
            kinds={"duckdb"},
            group_name="warehouse",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "matches_lake",
            asset=RAW_CONVERSATIONS,
            blocking=True,
            description=("Every day of the window holds exactly the lake's rows and dead letters."),
        )
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_WRITER_POOL,
)
def warehouse_raw(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, lake_catalog: LakeResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    window = run_window(context)
    conversations = lake_catalog.table(lake.CONVERSATIONS)
    dead_letters = lake_catalog.table(lake.DEAD_LETTERS)
    with duckdb.get_connection() as con:
        warehouse.ensure_raw_tables(con)
        rows = warehouse.replace_window(
            con,
            "raw.conversations",
            window.start,
            window.end,
            lake.window_rows(conversations, window.start, window.end),
        )
        letters = warehouse.replace_window(
            con,
            "raw.dead_letters",
            window.start,
            window.end,
            lake.window_rows(dead_letters, window.start, window.end),
        )
        warehouse.drop_superseded_dead_letters(con, window.start, window.end)
        loaded_by_day = warehouse.counts_by_date(con, "raw.conversations", window.start, window.end)
        letters_by_day = warehouse.counts_by_date(con, "raw.dead_letters", window.start, window.end)
        # Re-materialising a day must reproduce these hashes exactly (idempotency proof).
        entry_hashes = partition_hashes(con, "raw.conversations", window.start, window.end)
        letter_hashes = partition_hashes(con, "raw.dead_letters", window.start, window.end)
    mismatched = {
        **_mismatches(
            "rows", lake.counts_by_date(conversations, window.start, window.end), loaded_by_day
        ),
        **_mismatches(
            "dead_letters",
            lake.counts_by_date(dead_letters, window.start, window.end),
            letters_by_day,
        ),
    }
    yield dg.MaterializeResult(
        asset_key=RAW_CONVERSATIONS,
        metadata={
            "rows": rows,
            "dagster/row_count": rows,
            "days": len(loaded_by_day),
            "content_hash_by_day": {day.isoformat(): h for day, h in entry_hashes.items()},
        },
    )
    yield dg.MaterializeResult(
        asset_key=RAW_DEAD_LETTERS,
        metadata={
            "rows": letters,
            "dagster/row_count": letters,
            "content_hash_by_day": {day.isoformat(): h for day, h in letter_hashes.items()},
        },
    )
    yield dg.AssetCheckResult(
        check_name="matches_lake",
        asset_key=RAW_CONVERSATIONS,
        passed=not mismatched,
        metadata={"days_checked": len(loaded_by_day), "mismatched_days": mismatched},
    )


def _mismatches(what: str, in_lake: dict, in_warehouse: dict) -> dict[str, dict[str, int]]:
    return {
        f"{day.isoformat()} {what}": {
            "lake": in_lake.get(day, 0),
            "warehouse": in_warehouse.get(day, 0),
        }
        for day in sorted(set(in_lake) | set(in_warehouse))
        if in_lake.get(day, 0) != in_warehouse.get(day, 0)
    }
