#!/usr/bin/env bash
# Apache Spark in local mode for the remote-lake test: pyspark (which carries Spark) in a
# virtual environment of its own under .cache/spark/venv, pinned with hashes in
# spark-requirements.txt, and Iceberg's Spark runtime and AWS bundle jars from Maven
# Central under .cache/spark/jars. Spark 4 runs on Java 17, which this machine has.
# Idempotent: returns at once when the pinned environment and jars are in place.
set -euo pipefail
cd "$(dirname "$0")/../.."

ICEBERG_VERSION=1.10.0
SPARK_LINE=4.0_2.13
JARS=(
    "org.apache.iceberg:iceberg-spark-runtime-$SPARK_LINE:$ICEBERG_VERSION"
    "org.apache.iceberg:iceberg-aws-bundle:$ICEBERG_VERSION"
)
REQUIREMENTS=scripts/test-deps/spark-requirements.txt
CACHE="$PWD/.cache/spark"
VENV="$CACHE/venv"
STAMP="$CACHE/installed"
WANTED="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1) ${JARS[*]}"

if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANTED" ]; then
    echo "Spark already installed under $CACHE"
    exit 0
fi

if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    apt-get install -y -q --no-install-recommends openjdk-17-jre-headless maven >/dev/null
fi

rm -rf "$CACHE"
mkdir -p "$CACHE/jars"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --no-deps -r "$REQUIREMENTS"
for artifact in "${JARS[@]}"; do
    mvn -B -q dependency:copy -Dartifact="$artifact" -DoutputDirectory="$CACHE/jars"
done
"$VENV/bin/python" -c "import pyspark; print('pyspark', pyspark.__version__)"
echo "$WANTED" > "$STAMP"
echo "Spark installed under $CACHE"
