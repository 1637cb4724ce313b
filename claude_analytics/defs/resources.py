"""The one place resources are bound, from the environment DESIGN.md documents.

A variable set when the definitions load is bound by name, `dg.EnvVar(...)`: Dagster
resolves it when a run starts and shows the variable's name, never its value (MONGO_URI,
ALERT_WEBHOOK_URL and the identity salt are secrets). An unset variable is bound as its
documented default, which `core/config.load_settings` derives (the warehouse under the
home, the sample under the home): the EnvVar of an unset variable would fail every run
that initialises its resource. Switches and numbers the environment spells its own way
(`CLAUDE_ANALYTICS_REDACT=off`, a rate of `0.02`) are parsed by core/config and bound as
values, since Dagster resolves an EnvVar only to text or an integer.

Nothing here runs at import: Dagster calls `resources()` when it loads the definitions,
and the CLI's runner executes jobs of those same definitions.
"""

from __future__ import annotations

import os
from typing import TypeVar

import dagster as dg

from claude_analytics.core.config import (
    DEFAULT_DUCKDB_MEMORY_LIMIT,
    Settings,
    load_identity_settings,
    load_quality_settings,
    load_settings,
)
from claude_analytics.defs.resource_types import (
    AlertsResource,
    HomeResource,
    LakeResource,
    LogSourceResource,
    MongoResource,
    QualityResource,
    WarehouseResource,
)
from claude_analytics.defs.transform.dbt_project import (
    PipelineDbtResource,
    dbt_executable,
    dbt_project,
)

_Default = TypeVar("_Default", str, None)


def settings_at_load() -> Settings:
    """The configuration the definitions load with. Besides the resources it decides one
    thing that is not a resource: which source sensor starts running (extract/sensors.py)."""
    return load_settings()


def _from_env(name: str, default: _Default) -> str | _Default:
    """`dg.EnvVar(name)` when the variable is set now, else the default."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def mongo_resource(settings: Settings) -> MongoResource:
    """The synced collection; without MONGO_URI, a resource that says it is not configured."""
    return MongoResource(
        uri=_from_env("MONGO_URI", None),
        database=_from_env("MONGO_DB", settings.mongo_db),
        collection=_from_env("MONGO_COLLECTION", settings.mongo_collection),
    )


def source_resource(settings: Settings, mongo: MongoResource | None = None) -> LogSourceResource:
    """The source the environment selects (MongoDB, else CLAUDE_LOGS_DIR, else the sample),
    and the identity a JSONL run stamps on its entries."""
    return LogSourceResource(
        mongo=mongo or mongo_resource(settings),
        logs_dir=_from_env("CLAUDE_LOGS_DIR", None),
        sample_dir=str(settings.sample_dir),
        user_id=_from_env("CLAUDE_ANALYTICS_USER", None),
        hostname=_from_env("CLAUDE_ANALYTICS_HOSTNAME", None),
        hash_identity=load_identity_settings().hashed,
        identity_salt=_from_env("CLAUDE_ANALYTICS_IDENTITY_SALT", ""),
    )


def _home(settings: Settings) -> str:
    return _from_env("CLAUDE_ANALYTICS_HOME", str(settings.home))


def _duckdb_path(settings: Settings) -> str:
    return _from_env("DUCKDB_PATH", str(settings.duckdb_path))


def _memory_limit() -> str:
    return _from_env("DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)


def dbt_resource(settings: Settings) -> PipelineDbtResource:
    """dbt, run by absolute path, building into the warehouse and the home's target folder."""
    return PipelineDbtResource(
        project_dir=dbt_project(),
        dbt_executable=dbt_executable(),
        home=_home(settings),
        duckdb_path=_duckdb_path(settings),
        memory_limit=_memory_limit(),
    )


def alerts_resource(settings: Settings) -> AlertsResource:
    """alerts.log under the home, and the webhook when ALERT_WEBHOOK_URL is set."""
    return AlertsResource(home=_home(settings), webhook_url=_from_env("ALERT_WEBHOOK_URL", None))


def resource_bindings(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """Every resource of the code location, by the key the assets, checks and sensors use."""
    home = _home(settings)
    quality = load_quality_settings()
    mongo = mongo_resource(settings)
    return {
        "mongo": mongo,
        "source": source_resource(settings, mongo),
        "lake_catalog": LakeResource(home=home),
        "duckdb": WarehouseResource(database=_duckdb_path(settings), memory_limit=_memory_limit()),
        "dbt": dbt_resource(settings),
        "quality": QualityResource(
            redact=quality.redact, max_dead_letter_rate=quality.max_dead_letter_rate
        ),
        "home": HomeResource(directory=home),
        "alerts": alerts_resource(settings),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=resource_bindings(settings_at_load()))
