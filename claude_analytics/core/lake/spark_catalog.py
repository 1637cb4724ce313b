"""Spark's view of the lake: the Iceberg catalog that `PYICEBERG_CATALOG__DEFAULT__*`
configures for the platform, as Spark SQL catalog properties.

Past one machine a distributed engine reads the same tables the pipeline writes; it must
see the same catalog, so its settings are derived from the same variables instead of being
written twice. Only the standard library is used (settings is standard library too): this
runs in Spark's own Python, where the platform's dependencies are not installed.
"""

from __future__ import annotations

from collections.abc import Mapping

from claude_analytics.core.config import iceberg_env_properties

SPARK_CATALOG = "lake"
ICEBERG_SPARK_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
S3_FILE_IO = "org.apache.iceberg.aws.s3.S3FileIO"
# pyiceberg and Iceberg's Java catalogs share property names but for these.
JAVA_NAMES = {"s3.region": "client.region"}


def spark_conf(env: Mapping[str, str], catalog: str = SPARK_CATALOG) -> dict[str, str]:
    """`spark.sql.catalog.<catalog>.*` settings for a REST catalog; tables are then
    `<catalog>.raw.conversations` and `<catalog>.raw.dead_letters`.

    The result holds the catalog's credential when one is configured: pass it to Spark's
    configuration, never to a log. Object-store keys are left to the AWS SDK's default
    chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, instance or pod roles) unless they
    are catalog properties.
    """
    properties = iceberg_env_properties(env)
    kind = properties.pop("type", "")
    if kind != "rest":
        raise ValueError(
            "Spark reads the lake through a REST catalog: set PYICEBERG_CATALOG__DEFAULT__TYPE"
            f"=rest (the catalog configured is {kind or 'the local SQLite default'})"
        )
    prefix = f"spark.sql.catalog.{catalog}"
    conf = {
        "spark.sql.extensions": ICEBERG_SPARK_EXTENSIONS,
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
    }
    for key, value in properties.items():
        conf[f"{prefix}.{JAVA_NAMES.get(key, key)}"] = value
    if properties.get("warehouse", "").startswith("s3://") or "s3.endpoint" in properties:
        conf.setdefault(f"{prefix}.io-impl", S3_FILE_IO)
    if "s3.endpoint" in properties:
        # an S3-compatible store at an endpoint of its own: bucket in the path, as pyarrow does
        conf.setdefault(f"{prefix}.s3.path-style-access", "true")
    return conf
