"""Load a date window of the lake into DuckDB's `raw` schema, one transaction per table."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.defs.lake.assets import LAKE_CONVERSATIONS, LAKE_DEAD_LETTERS
from claude_analytics.lib import lake, warehouse
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
            description="Every day of the window holds exactly the lake's rows.",
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
            lake.scan_window(conversations, window.start, window.end),
        )
        letters = warehouse.replace_window(
            con,
            "raw.dead_letters",
            window.start,
            window.end,
            lake.scan_window(dead_letters, window.start, window.end),
        )
        loaded_by_day = warehouse.counts_by_date(
            con, "raw.conversations", window.start, window.end
        )
    lake_by_day = lake.counts_by_date(conversations, window.start, window.end)
    mismatched = {
        day.isoformat(): {"lake": lake_by_day.get(day, 0), "warehouse": loaded_by_day.get(day, 0)}
        for day in sorted(set(lake_by_day) | set(loaded_by_day))
        if lake_by_day.get(day, 0) != loaded_by_day.get(day, 0)
    }
    yield dg.MaterializeResult(
        asset_key=RAW_CONVERSATIONS,
        metadata={"rows": rows, "dagster/row_count": rows, "days": len(loaded_by_day)},
    )
    yield dg.MaterializeResult(
        asset_key=RAW_DEAD_LETTERS, metadata={"rows": letters, "dagster/row_count": letters}
    )
    yield dg.AssetCheckResult(
        check_name="matches_lake",
        asset_key=RAW_CONVERSATIONS,
        passed=not mismatched,
        metadata={"days_checked": len(lake_by_day), "mismatched_days": mismatched},
    )
