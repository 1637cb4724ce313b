"""The Dagster instance the CLI runs against: the user's DAGSTER_HOME, or one under the home."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from claude_analytics.lib.settings import Settings

# Not at the repository root: `dagster dev` warns about a dagster.yaml in its folder.
REPO_DAGSTER_YAML = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"


def ensure_dagster_home(settings: Settings) -> Path:
    """Point DAGSTER_HOME at a folder that holds the project's dagster.yaml (SQLite, pools)."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() and REPO_DAGSTER_YAML.exists():
        shutil.copyfile(REPO_DAGSTER_YAML, config)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def get_instance(settings: Settings) -> dg.DagsterInstance:
    ensure_dagster_home(settings)
    return dg.DagsterInstance.get()
