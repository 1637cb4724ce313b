"""The catalog variables, read at call time, and their translation for Spark (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_analytics.core.config import iceberg_catalog_properties, iceberg_env_properties
from claude_analytics.core.lake.spark_catalog import S3_FILE_IO, spark_conf

ENV = {
    "PYICEBERG_CATALOG__DEFAULT__TYPE": "rest",
    "PYICEBERG_CATALOG__DEFAULT__URI": "http://catalog:8181",
    "PYICEBERG_CATALOG__DEFAULT__WAREHOUSE": "s3://lake/",
    "PYICEBERG_CATALOG__DEFAULT__CREDENTIAL": "id:secret",
    "PYICEBERG_CATALOG__DEFAULT__S3__ENDPOINT": "http://store:8333",
    "PYICEBERG_CATALOG__DEFAULT__S3__REGION": "eu-west-1",
    "PYICEBERG_CATALOG__DEFAULT__S3__PATH_STYLE_ACCESS": "false",
    "PYICEBERG_CATALOG__OTHER__URI": "http://elsewhere",
    "AWS_REGION": "eu-west-1",
}


def test_the_variables_are_named_as_pyiceberg_names_them() -> None:
    assert iceberg_env_properties(ENV) == {
        "type": "rest",
        "uri": "http://catalog:8181",
        "warehouse": "s3://lake/",
        "credential": "id:secret",
        "s3.endpoint": "http://store:8333",
        "s3.region": "eu-west-1",
        "s3.path-style-access": "false",
    }


def test_variables_set_after_import_are_the_ones_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = iceberg_catalog_properties(tmp_path)
    assert local["type"] == "sql" and local["warehouse"] == f"file://{tmp_path / 'warehouse'}"
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    assert iceberg_catalog_properties(tmp_path) == iceberg_env_properties(ENV)


def test_spark_gets_the_same_catalog() -> None:
    assert spark_conf(ENV) == {
        "spark.sql.extensions": (
            "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
        ),
        "spark.sql.catalog.lake": "org.apache.iceberg.spark.SparkCatalog",
        "spark.sql.catalog.lake.type": "rest",
        "spark.sql.catalog.lake.uri": "http://catalog:8181",
        "spark.sql.catalog.lake.warehouse": "s3://lake/",
        "spark.sql.catalog.lake.credential": "id:secret",
        "spark.sql.catalog.lake.s3.endpoint": "http://store:8333",
        "spark.sql.catalog.lake.client.region": "eu-west-1",
        "spark.sql.catalog.lake.s3.path-style-access": "false",  # as configured, not the default
        "spark.sql.catalog.lake.io-impl": S3_FILE_IO,
    }


def test_spark_refuses_the_local_sqlite_catalog() -> None:
    with pytest.raises(ValueError, match="REST catalog"):
        spark_conf({})
