"""The dbt project as Dagster sees it: where it lives and how its nodes become assets."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
)
from packaging import version

from claude_analytics.core.config import Settings
from claude_analytics.defs.freshness import HOURLY_FRESHNESS

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"
LAYERS = ("staging", "intermediate", "marts")


def _put_dbt_on_path() -> None:
    """dbt is installed next to this interpreter; `.venv/bin/dagster ...` run without an
    activated environment would otherwise not find it."""
    if shutil.which("dbt") is None:
        os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])


@cache
def dbt_project() -> DbtProject:
    """The project, with its manifest ready.

    `prepare_if_dev` re-parses under `dagster dev` (and every `dg` command); elsewhere (tests,
    CI, `make run`, the image) the manifest is prepared explicitly, and as a last resort here
    when it is missing so a fresh clone never fails to load its definitions. dbt's own
    `DBT_TARGET_PATH` moves its artifacts out of the project folder: the tests point it at a
    temporary copy, so no test writes inside the repository.
    """
    _put_dbt_on_path()
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target_path=os.environ.get("DBT_TARGET_PATH") or "target",
    )
    project.prepare_if_dev()
    if not project.manifest_path.exists():
        project.preparer.prepare(project)
    return project


SEEDS_GROUP = "seeds"
RAW_SOURCE = "source.claude_analytics.raw.conversations"


class ClaudeAnalyticsTranslator(DagsterDbtTranslator):
    """Asset keys mirror the DuckDB relation: `<schema>/<table>`, grouped by layer.

    The seeds (the tool categories) sit in a group of their own and follow the raw load:
    every dbt build after a raw window (re)loads them with the models, and an asset backfill
    must do the same. As roots they started in a run of their own beside the raw window, and
    the models that need them were split over as many runs as the two finished apart; "the
    lake and everything downstream" left them out, so a fresh warehouse lacked their tables.
    """

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        if node.get("resource_type") == "seed":
            raw = self.get_asset_spec(manifest, RAW_SOURCE, project).key
            return spec.replace_attributes(
                group_name=SEEDS_GROUP, deps=[*spec.deps, dg.AssetDep(raw)]
            )
        if node.get("resource_type") != "model":
            return spec
        schema = node.get("config", {}).get("schema") or node.get("schema")
        return spec.replace_attributes(
            key=dg.AssetKey([schema, node["name"]]),
            group_name=schema if schema in LAYERS else spec.group_name,
            kinds={"dbt", "duckdb"},
            freshness_policy=HOURLY_FRESHNESS if schema == "marts" else spec.freshness_policy,
        )

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        """dbt's tests on the raw sources inform but do not gate: dbt itself skips the models
        after a failed source test within the build, and `matches_lake` gates
        `raw/conversations` for everything else. Blocking, these checks of the dbt step would
        hold back every other reader of the raw table (the price matches), which dbt needs
        first: a cycle that keeps the jobs from resolving."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        test = manifest["nodes"].get(unique_id) or {}
        on_source = any(
            node.startswith("source.") for node in test.get("depends_on", {}).get("nodes", [])
        )
        if spec is None or not on_source:
            return spec
        return dg.AssetCheckSpec(
            spec.name,
            asset=spec.asset_key,
            description=spec.description,
            additional_deps=spec.additional_deps,
            blocking=False,
            metadata=spec.metadata,
            automation_condition=spec.automation_condition,
            partitions_def=spec.partitions_def,
        )


def translator() -> ClaudeAnalyticsTranslator:
    """dbt tests become asset checks; those on the `raw` sources become checks on the
    warehouse assets (`raw/conversations`), where an operator looks for them, instead of
    observations logged with a warning on every build."""
    return ClaudeAnalyticsTranslator(
        settings=DagsterDbtTranslatorSettings(
            enable_asset_checks=True, enable_source_tests_as_checks=True
        )
    )


def dbt_target_path(settings: Settings) -> Path:
    """Where the pipeline's dbt builds write their artifacts: one folder per home, kept from
    run to run, so dbt finds its previous `partial_parse.msgpack` and parses only what
    changed (dagster-dbt's default is a new folder per invocation, a full parse each time)."""
    return settings.home / "dbt" / "target"


class PipelineDbtResource(DbtCliResource):
    """dagster-dbt's CLI resource without two costs a build pays before dbt even starts.

    Each invocation ran `dbt --version` in a subprocess (a second dbt start, seconds) to
    learn which engine is installed, and built a dbt adapter in this process for
    `fetch_column_metadata`/`fetch_row_counts`, which the pipeline does not call (they would
    open the DuckDB file beside dbt's writer anyway). The version comes from the installed
    dbt-core package instead, and no adapter is built.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None
