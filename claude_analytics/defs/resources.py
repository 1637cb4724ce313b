"""The one place resources are bound, from the environment DESIGN.md documents."""

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from claude_analytics.lib.dbt import dbt_project
from claude_analytics.lib.resources import LakeResource, mongo_resource, source_resource
from claude_analytics.lib.settings import load_settings


@dg.definitions
def resources() -> dg.Definitions:
    settings = load_settings()
    mongo = mongo_resource(settings)
    return dg.Definitions(
        resources={
            "mongo": mongo,
            "source": source_resource(settings, mongo),
            "lake_catalog": LakeResource(home=str(settings.home)),
            "duckdb": DuckDBResource(database=str(settings.duckdb_path)),
            "dbt": DbtCliResource(project_dir=dbt_project()),
        }
    )
