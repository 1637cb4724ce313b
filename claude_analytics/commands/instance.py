"""The Dagster instance the CLI runs against: the user's DAGSTER_HOME, or one under the home.

The instance is opened from its folder; nothing exports DAGSTER_HOME into this process's
environment. A `dagster` or `dg` subprocess started for the same instance is given
DAGSTER_HOME in its own environment by whoever starts it.
"""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

import dagster as dg

from claude_analytics.core.config import Settings

# Not at the repository root: `dagster dev` warns about a dagster.yaml in its folder.
REPO_DAGSTER_YAML = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"


def ensure_dagster_home(settings: Settings) -> Path:
    """The Dagster home folder, created with the project's dagster.yaml (SQLite, pools)."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() and REPO_DAGSTER_YAML.exists():
        shutil.copyfile(REPO_DAGSTER_YAML, config)
    return home


def get_instance(settings: Settings) -> dg.DagsterInstance:
    """The instance, its storages created under an exclusive lock on the Dagster home.

    SQLite storages create and stamp their schema on first use; two processes doing that at
    once on a new home (two `claude-analytics run` started together) left two heads in
    `alembic_version`, and every later command failed on it. Holding the lock only while
    the storages open makes the second process wait for the first one's schema.
    """
    home = ensure_dagster_home(settings)
    with (home / ".storage.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        instance = dg.DagsterInstance.from_config(str(home))
        # touching each storage creates and migrates it now, inside the lock
        instance.run_storage.get_runs_count()
        instance.get_asset_keys(limit=1)
        if instance.schedule_storage is not None:
            instance.schedule_storage.all_instigator_state()
    return instance
