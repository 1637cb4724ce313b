"""Extract a date window from the source into the Iceberg lake, dead letters beside it."""

from collections.abc import Iterator

import dagster as dg
import pyarrow as pa

from claude_analytics.defs.extract.assets import CLAUDE_CODE_LOGS
from claude_analytics.lib import lake
from claude_analytics.lib.parsing import parse_batch
from claude_analytics.lib.partitions import daily_partitions, partition_bounds
from claude_analytics.lib.resources import LakeResource, LogSourceResource
from claude_analytics.lib.windows import run_window

LAKE_CONVERSATIONS = dg.AssetKey(["lake", "raw", "conversations"])
LAKE_DEAD_LETTERS = dg.AssetKey(["lake", "raw", "dead_letters"])
# One committer per Iceberg table at a time: maintenance rewrites must not race extraction.
ICEBERG_WRITER_POOL = "iceberg_writer"

# Source reads fail transiently (a network blip, a busy MongoDB); retry with backoff.
SOURCE_RETRY = dg.RetryPolicy(max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            LAKE_CONVERSATIONS,
            description="Every usable source entry, typed, with the whole entry as raw_json.",
            deps=[CLAUDE_CODE_LOGS],
            kinds={"iceberg"},
            group_name="lake",
        ),
        dg.AssetSpec(
            LAKE_DEAD_LETTERS,
            description="Source entries that could not be used, with the reason.",
            deps=[CLAUDE_CODE_LOGS],
            kinds={"iceberg"},
            group_name="lake",
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=SOURCE_RETRY,
    pool=ICEBERG_WRITER_POOL,
)
def lake_raw(
    context: dg.AssetExecutionContext, source: LogSourceResource, lake_catalog: LakeResource
) -> Iterator[dg.MaterializeResult]:
    window = run_window(context)
    first, last = partition_bounds()
    log_source = source.open()
    context.log.info(f"Extracting {window.start}..{window.end} from {log_source.describe()}")
    conversations = lake_catalog.table(lake.CONVERSATIONS)
    dead_letters_table = lake_catalog.table(lake.DEAD_LETTERS)
    dead_letters: list[pa.Table] = []
    read = {"lines": 0, "batches": 0}

    def entries() -> Iterator[pa.Table]:
        for batch in log_source.iter_batches(window):
            parsed = parse_batch(
                batch,
                window,
                inherit_file_time=log_source.inherits_file_time,
                run_id=context.run_id,
                partition_start=first,
                partition_end=last,
            )
            read["lines"] += batch.num_rows
            read["batches"] += 1
            dead_letters.append(parsed.dead_letters)
            context.log.info(
                f"batch {read['batches']}: {batch.num_rows} lines read, "
                f"{parsed.entries.num_rows} entries and {parsed.dead_letters.num_rows} dead "
                "letters in the window"
            )
            yield parsed.entries

    written = lake.replace_window(conversations, window.start, window.end, entries())
    letters = lake.replace_window(dead_letters_table, window.start, window.end, dead_letters)
    yield dg.MaterializeResult(
        asset_key=LAKE_CONVERSATIONS,
        metadata={
            "rows": written.rows,
            "dagster/row_count": written.rows,
            "source_lines_scanned": read["lines"],
            "snapshot_id": str(written.snapshot_id),
            "window": f"{window.start}..{window.end}",
            "source": log_source.describe(),
        },
    )
    yield dg.MaterializeResult(
        asset_key=LAKE_DEAD_LETTERS,
        metadata={"rows": letters.rows, "dagster/row_count": letters.rows},
    )
