"""Load a date window of the lake into DuckDB's `raw` schema, one transaction per table."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.warehouse import tables as warehouse
from claude_analytics.defs.asset_events import report_days
from claude_analytics.defs.freshness import HOURLY_FRESHNESS
from claude_analytics.defs.lake.assets import LAKE_CONVERSATIONS, LAKE_DEAD_LETTERS
from claude_analytics.defs.partitions import daily_partitions
from claude_analytics.defs.resource_types import LakeResource
from claude_analytics.defs.windows import run_window

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
        entries_before = warehouse.counts_by_date(
            con, "raw.conversations", window.start, window.end
        )
        letters_before = warehouse.counts_by_date(con, "raw.dead_letters", window.start, window.end)
        rows = warehouse.replace_window(
            con,
            "raw.conversations",
            window.start,
            window.end,
            lake.window_rows(conversations, window.start, window.end),
            record_for_run=context.run.run_id,
        )
        letters = warehouse.replace_window(
            con,
            "raw.dead_letters",
            window.start,
            window.end,
            lake.window_rows(dead_letters, window.start, window.end),
            # the serving snapshot shows dead letters: a change there is a change to build
            record_for_run=context.run.run_id,
        )
        warehouse.drop_superseded_dead_letters(con, window.start, window.end)
        loaded_by_day = warehouse.counts_by_date(con, "raw.conversations", window.start, window.end)
        letters_by_day = warehouse.counts_by_date(con, "raw.dead_letters", window.start, window.end)
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
    for key, replaced, after, before in (
        (RAW_CONVERSATIONS, rows, loaded_by_day, entries_before),
        (RAW_DEAD_LETTERS, letters, letters_by_day, letters_before),
    ):
        metadata = {
            "window_rows": replaced.rows,
            "days": len(after),
            "days_changed": len(replaced.changed_days),
        }
        # Re-materialising a day must reproduce its hash exactly (idempotency proof).
        hashes = replaced.hashes
        # each day's materialization holds that day's hash (not the window's: a long window
        # would copy all of them onto every day)
        own_hashes = {
            day: {"content_hash_by_day": {day.isoformat(): h}} for day, h in hashes.items()
        }
        yield from report_days(context, key, metadata, after, before, own_hashes)
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
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
