"""The one place resources are bound, from the environment DESIGN.md documents."""

import dagster as dg

from claude_analytics.core.config import (
    duckdb_memory_limit,
    load_quality_settings,
    load_settings,
)
from claude_analytics.defs.resource_types import (
    LakeResource,
    QualityResource,
    WarehouseResource,
    mongo_resource,
    source_resource,
)
from claude_analytics.defs.transform.dbt_project import PipelineDbtResource, dbt_project


@dg.definitions
def resources() -> dg.Definitions:
    settings = load_settings()
    mongo = mongo_resource(settings)
    quality = load_quality_settings()
    return dg.Definitions(
        resources={
            "mongo": mongo,
            "source": source_resource(settings, mongo),
            "lake_catalog": LakeResource(home=str(settings.home)),
            "duckdb": WarehouseResource(
                database=str(settings.duckdb_path),
                connection_config={"memory_limit": duckdb_memory_limit()},
            ),
            "dbt": PipelineDbtResource(project_dir=dbt_project()),
            "quality": QualityResource(
                redact=quality.redact, max_dead_letter_rate=quality.max_dead_letter_rate
            ),
        }
    )
