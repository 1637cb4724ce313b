"""A distributed engine reads what the pipeline wrote: Apache Spark in local mode, through
the same REST catalog and object store, counts exactly the lake's rows and one day's tokens.

Spark comes from scripts/test-deps/spark.sh (pyspark in .cache/spark/venv, Iceberg's Spark
runtime and AWS bundle in .cache/spark/jars); it starts a JVM, so this is one focused test.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pyarrow.compute as pc

from claude_analytics.core.lake import catalog as lake
from claude_analytics_tests.e2e.remote_lake.conftest import BROKEN_DAY, BROKEN_LINES, Builds
from claude_analytics_tests.support.seaweedfs import REPO

SPARK = REPO / ".cache" / "spark"
READER = Path(__file__).with_name("spark_reader.py")
TOKENS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def _spark_python() -> Path:
    python = SPARK / "venv" / "bin" / "python"
    assert python.exists(), "Spark is not installed: run `bash scripts/test-deps/spark.sh`"
    return python


def test_spark_reads_exactly_what_the_pipeline_wrote(
    remote_catalog: Builds, tmp_path: Path
) -> None:
    builds = remote_catalog
    out = tmp_path / "spark.json"
    log = tmp_path / "spark.log"
    with open(log, "wb") as output:
        finished = subprocess.run(
            [
                str(_spark_python()),
                str(READER),
                f"--jars={SPARK / 'jars'}",
                f"--day={BROKEN_DAY.isoformat()}",
                f"--out={out}",
            ],
            env={**os.environ, "HOME": str(tmp_path)},
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
    assert finished.returncode == 0, log.read_text()[-4000:]
    spark = json.loads(out.read_text())

    # the lake as pyiceberg reads it, independently of Spark
    catalog = lake.open_catalog(Path("/nonexistent"))
    conversations = catalog.load_table(lake.CONVERSATIONS).scan().to_arrow()
    letters = catalog.load_table(lake.DEAD_LETTERS).scan().to_arrow()
    day = conversations.filter(pc.equal(conversations["event_date"], BROKEN_DAY))
    assert spark["conversations"] == conversations.num_rows
    assert spark["dead_letters"] == letters.num_rows == len(BROKEN_LINES)
    assert spark["day_tokens"] == {
        "entries": day.num_rows,
        **{column: pc.sum(day[column]).as_py() for column in TOKENS},
    }
    assert spark["day_tokens"]["output_tokens"] > 0
    reasons = {"invalid_json": 1, "not_an_object": 1, "invalid_utf8": 1}
    assert spark["dead_letter_reasons"] == reasons
    # and the warehouse the pipeline built holds the same
    assert spark["conversations"] == builds.remote.value("select count(*) from raw.conversations")
