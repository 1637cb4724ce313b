"""The one place resources are bound, from the environment DESIGN.md documents."""

import dagster as dg
from dagster_dbt import DbtCliResource

from claude_analytics.lib.dbt import dbt_project
from claude_analytics.lib.resources import (
    LakeResource,
    LogSourceResource,
    QualityResource,
    WarehouseResource,
)
from claude_analytics.lib.settings import load_quality_settings, load_settings


@dg.definitions
def resources() -> dg.Definitions:
    settings = load_settings()
    quality = load_quality_settings()
    return dg.Definitions(
        resources={
            "source": LogSourceResource(
                logs_dir=str(settings.logs_dir) if settings.logs_dir else None,
                sample_dir=str(settings.sample_dir),
            ),
            "lake_catalog": LakeResource(home=str(settings.home)),
            "duckdb": WarehouseResource(database=str(settings.duckdb_path)),
            "dbt": DbtCliResource(project_dir=dbt_project()),
            "quality": QualityResource(
                redact=quality.redact, max_dead_letter_rate=quality.max_dead_letter_rate
            ),
        }
    )
