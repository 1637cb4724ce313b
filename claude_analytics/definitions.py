"""The code location: every definition under `defs/`, loaded by Dagster's defs-folder loader."""

import warnings
from pathlib import Path

import dagster as dg


def _quiet_selection_warning() -> None:
    """Dagster's selection parser passes the beta `include_sources` argument itself on every
    `group:`, `not` or `*` term, so `--select 'not group:maintenance'` warned about an
    argument nobody wrote. Selections are parsed after this code location loads."""
    warnings.filterwarnings("ignore", message=r".*include_sources", category=dg.BetaWarning)


@dg.definitions
def defs() -> dg.Definitions:
    _quiet_selection_warning()
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
