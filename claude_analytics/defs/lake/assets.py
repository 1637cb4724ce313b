"""Extract a date window from the source into the Iceberg lake, dead letters beside it."""

import time
from collections.abc import Iterator

import dagster as dg
import pyarrow as pa

from claude_analytics.core.ingest.batch_contract import validate_batch
from claude_analytics.core.ingest.drift import observe
from claude_analytics.core.ingest.parse import parse_batch
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.lake.supersede import SupersededLetters
from claude_analytics.core.timing import Clock, timed
from claude_analytics.defs.asset_events import report_days
from claude_analytics.defs.extract.assets import CLAUDE_CODE_LOGS
from claude_analytics.defs.freshness import HOURLY_FRESHNESS
from claude_analytics.defs.lake import checks
from claude_analytics.defs.partitions import daily_partitions, partition_bounds
from claude_analytics.defs.resource_types import LakeResource, LogSourceResource, QualityResource
from claude_analytics.defs.windows import run_window

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
            freshness_policy=HOURLY_FRESHNESS,
        ),
        dg.AssetSpec(
            LAKE_DEAD_LETTERS,
            description="Source entries that could not be used, with the reason.",
            deps=[CLAUDE_CODE_LOGS],
            kinds={"iceberg"},
            group_name="lake",
        ),
    ],
    check_specs=checks.check_specs(LAKE_CONVERSATIONS),
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=SOURCE_RETRY,
    pool=ICEBERG_WRITER_POOL,
)
def lake_raw(
    context: dg.AssetExecutionContext,
    source: LogSourceResource,
    lake_catalog: LakeResource,
    quality: QualityResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    window = run_window(context)
    first, last = partition_bounds()
    log_source = source.open()
    context.log.info(f"Extracting {window.start}..{window.end} from {log_source.describe()}")
    conversations = lake_catalog.table(lake.CONVERSATIONS)
    dead_letters_table = lake_catalog.table(lake.DEAD_LETTERS)
    dead_letters: list[pa.Table] = []
    superseded = SupersededLetters(dead_letters_table, window.start, window.end)
    read = {"lines": 0, "batches": 0}
    tally = checks.ExtractTally()

    def entries() -> Iterator[pa.Table]:
        for batch in log_source.iter_batches(window):
            parsed = parse_batch(
                batch,
                window,
                inherit_file_time=log_source.inherits_file_time,
                run_id=context.run.run_id,
                partition_start=first,
                partition_end=last,
                redact=quality.redact,
            )
            tally.add_counts(parsed.lines_by_day, parsed.unaccounted_lines, parsed.redactions)
            validate_batch(parsed.entries, window, tally.validation)
            observe(parsed.entries, tally.drift)
            read["lines"] += batch.num_rows
            read["batches"] += 1
            dead_letters.append(parsed.dead_letters)
            superseded.add(parsed.entries["entry_id"])
            context.log.info(
                f"batch {read['batches']}: {batch.num_rows} lines read, "
                f"{parsed.entries.num_rows} entries and {parsed.dead_letters.num_rows} dead "
                "letters in the window"
            )
            yield parsed.entries

    entries_before = lake.partition_counts(conversations, window.start, window.end)
    letters_before = lake.partition_counts(dead_letters_table, window.start, window.end)
    started, extract = time.perf_counter(), Clock()
    written = lake.replace_window(
        conversations, window.start, window.end, timed(entries(), extract)
    )
    superseded_ids = superseded.ids()
    letters = lake.replace_window(
        dead_letters_table, window.start, window.end, dead_letters, also_delete=superseded_ids
    )
    elapsed = time.perf_counter() - started
    # Arrow's allocator keeps the batches' freed memory for reuse; the next steps of an
    # in-process run (the warehouse load, DuckDB's) would stack on top of it.
    pa.default_memory_pool().release_unused()
    # Parity reads the committed tables back: it proves what readers will see.
    lake_entries = lake.counts_by_date(conversations, window.start, window.end)
    lake_letters = lake.counts_by_date(dead_letters_table, window.start, window.end)
    entries_metadata = {
        "window_rows": written.rows,
        "source_lines_scanned": read["lines"],
        "snapshot_id": str(written.snapshot_id),
        "window": f"{window.start}..{window.end}",
        "source": log_source.describe(),
        "redacted_values": sum(tally.redactions.values()),
        "redacted_by_kind": {k: n for k, n in tally.redactions.items() if n},
        "redaction": "on" if quality.redact else "off",
        # read + parse + checks vs the Iceberg writes and commits, interleaved by batch
        "extract_seconds": round(extract.seconds, 3),
        "lake_write_seconds": round(elapsed - extract.seconds, 3),
    }
    letters_metadata = {
        "window_rows": letters.rows,
        "by_reason": _count_reasons(dead_letters),
        "superseded_by_completed_lines": len(superseded_ids),
        "snapshot_id": str(letters.snapshot_id),
    }
    for key, metadata, after, before in (
        (LAKE_CONVERSATIONS, entries_metadata, lake_entries, entries_before),
        (LAKE_DEAD_LETTERS, letters_metadata, lake_letters, letters_before),
    ):
        yield from report_days(context, key, metadata, after, before)
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    yield checks.batch_schema_result(LAKE_CONVERSATIONS, tally)
    yield checks.parity_result(LAKE_CONVERSATIONS, tally, lake_entries, lake_letters)
    yield checks.dead_letter_rate_result(
        LAKE_CONVERSATIONS, tally, sum(lake_letters.values()), quality.max_dead_letter_rate
    )
    yield checks.drift_result(LAKE_CONVERSATIONS, tally)


def _count_reasons(dead_letters: list[pa.Table]) -> dict[str, int]:
    """Dead letters per reason family (`wrong_type: uuid` counts under `wrong_type`)."""
    counts: dict[str, int] = {}
    if not dead_letters:
        return counts
    grouped = pa.concat_tables(dead_letters).group_by("reason").aggregate([("reason", "count")])
    for reason, n in zip(*grouped.to_pydict().values(), strict=True):
        family = reason.split(":", 1)[0]
        counts[family] = counts.get(family, 0) + n
    return counts
