"""Read the lake with Apache Spark (local mode), run by the Python of .cache/spark/venv.

    .cache/spark/venv/bin/python claude_analytics_tests/e2e/remote_lake/spark_reader.py \
        --jars .cache/spark/jars --day 2026-11-02 --out result.json

The catalog comes from the same `PYICEBERG_CATALOG__DEFAULT__*` variables the pipeline
used (`claude_analytics.core.lake.spark_catalog`); only pyspark and the standard library are
imported, since the platform's dependencies are not installed in Spark's environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from claude_analytics.core.lake.spark_catalog import SPARK_CATALOG, spark_conf  # noqa: E402

TOKENS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def read(jars: Path, day: str) -> dict[str, object]:
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("claude-analytics lake reader")
        .config("spark.jars", ",".join(str(p) for p in sorted(jars.glob("*.jar"))))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
    )
    for key, value in spark_conf(os.environ).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        conversations = f"{SPARK_CATALOG}.raw.conversations"
        dead_letters = f"{SPARK_CATALOG}.raw.dead_letters"
        sums = ", ".join(f"sum({column}) as {column}" for column in TOKENS)
        day_tokens = spark.sql(
            f"select count(*) as entries, {sums} from {conversations} "
            f"where event_date = date'{day}'"
        ).first()
        reasons = spark.sql(
            f"select reason, count(*) as n from {dead_letters} group by reason"
        ).collect()
        return {
            "engine": f"Apache Spark {spark.version}",
            "conversations": spark.table(conversations).count(),
            "dead_letters": spark.table(dead_letters).count(),
            "day_tokens": day_tokens.asDict(),
            "dead_letter_reasons": {row["reason"]: row["n"] for row in reasons},
        }
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jars", type=Path, required=True)
    parser.add_argument("--day", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.write_text(json.dumps(read(args.jars, args.day), default=str))


if __name__ == "__main__":
    main()
