"""Which assets a failed step stood for, read from the code location's definitions."""

from __future__ import annotations

import dagster as dg


def step_assets(
    repository: dg.RepositoryDefinition | None,
    step_key: str,
    selection: frozenset[dg.AssetKey] | None = None,
) -> list[str]:
    """The assets (or, for a check's own step, the checked assets) a step materializes in a
    run; `selection` is the run's asset selection when it was a subset."""
    if repository is None:
        return []
    keys: set[dg.AssetKey] = set()
    for assets_def in set(repository.assets_defs_by_key.values()):
        if assets_def.is_executable and assets_def.node_def.name == step_key:
            keys |= set(assets_def.keys)
    for checks_def in set(repository.asset_checks_defs_by_key.values()):
        if checks_def.node_def.name == step_key:
            keys |= {key.asset_key for key in checks_def.check_keys}
    if selection:
        keys = {key for key in keys if key in selection} or keys
    return sorted(key.to_user_string() for key in keys)
