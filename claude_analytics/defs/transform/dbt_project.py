"""The dbt project as Dagster sees it: where it lives and how its nodes become assets."""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import os
import sys
from collections.abc import Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
)
from packaging import version

from claude_analytics.core.config import HomeLayout, resolve_path
from claude_analytics.defs.freshness import HOURLY_FRESHNESS

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"
LAYERS = ("staging", "intermediate", "marts")


def dbt_executable() -> str:
    """dbt by absolute path, the one installed beside this interpreter: `.venv/bin/dagster ...`
    run without an activated environment has no dbt on its PATH, and the platform changes no
    process's PATH to give it one. Elsewhere (dbt installed apart), the `dbt` on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


@cache
def dbt_project() -> DbtProject:
    """The project, with its manifest ready.

    Under `dagster dev` (and every `dg` command) it re-parses at every load, as dagster-dbt's
    `prepare_if_dev` does; elsewhere (tests, CI, `make run`, the image) the manifest is
    prepared explicitly (`claude-analytics prepare`), and as a last resort here when it is
    missing, so a fresh clone never fails to load its definitions. Called when the
    definitions load, never at import. dbt's own `DBT_TARGET_PATH` moves its artifacts out of
    the project folder: the tests point it at a temporary copy, so no test writes inside the
    repository.
    """
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target_path=os.environ.get("DBT_TARGET_PATH") or "target",
    )
    if project.preparer.using_dagster_dev() or not project.manifest_path.exists():
        prepare_manifest(
            project, PipelineDbtResource(project_dir=project, dbt_executable=dbt_executable())
        )
    return project


def prepare_manifest(project: DbtProject, dbt: DbtCliResource) -> None:
    """`dbt parse` into the project's target folder with `dbt`, the executable and profile
    variables the pipeline's builds use (dagster-dbt's own preparer runs the `dbt` on PATH).

    Processes that load the definitions together (test workers, a code server beside the
    CLI) parse one at a time, under the lock file dagster-dbt's preparer takes; one that
    waited finds the manifest another wrote and stops.
    """
    project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
    before = project.manifest_path.stat().st_mtime if project.manifest_path.exists() else 0.0
    with project.manifest_path.with_suffix(".concurrent-update-lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if project.manifest_path.exists() and project.manifest_path.stat().st_mtime > before:
            return
        dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()


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


class PipelineDbtResource(DbtCliResource):
    """dagster-dbt's CLI resource given the pipeline's warehouse, and without two costs a
    build pays before dbt even starts.

    The profile (dbt_project/profiles.yml) reads the warehouse path and DuckDB's memory bound
    from the variables `duckdb_path` and `duckdb_memory_limit`, which every invocation passes
    with `--vars`: dbt gets them explicitly, and no process exports them into its own
    environment for the subprocess to inherit. Builds write to the home's dbt target folder
    (`HomeLayout.dbt_target_dir`) unless told otherwise.

    Each invocation ran `dbt --version` in a subprocess (a second dbt start, seconds) to
    learn which engine is installed, and built a dbt adapter in this process for
    `fetch_column_metadata`/`fetch_row_counts`, which the pipeline does not call (they would
    open the DuckDB file beside dbt's writer anyway). The version comes from the installed
    dbt-core package instead, and no adapter is built.
    """

    duckdb_path: str | None = None
    memory_limit: str | None = None
    home: str | None = None

    def profile_vars(self) -> dict[str, str]:
        """The values profiles.yml reads; an unset one falls back to the profile's default."""
        found = {
            "duckdb_path": str(resolve_path(self.duckdb_path)) if self.duckdb_path else None,
            "duckdb_memory_limit": self.memory_limit,
        }
        return {name: value for name, value in found.items() if value}

    def cli(
        self, args: Sequence[str], *, target_path: Path | None = None, **kwargs: Any
    ) -> DbtCliInvocation:
        profile_vars = self.profile_vars()
        if profile_vars:
            args = [*args, "--vars", json.dumps(profile_vars, sort_keys=True)]
        if target_path is None and self.home:
            target_path = HomeLayout(resolve_path(self.home)).dbt_target_dir
        return super().cli(args, target_path=target_path, **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None
