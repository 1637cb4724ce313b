"""Thin resources that expose domain operations; bound once in `defs/resources.py`."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table

from claude_analytics.lib import lake
from claude_analytics.lib.sources.base import LogSource
from claude_analytics.lib.sources.jsonl import JsonlDirectorySource
from claude_analytics.lib.sources.sample import DEFAULT_SAMPLE_ENTRIES, sample_source


class LogSourceResource(dg.ConfigurableResource):
    """The source DESIGN.md prescribes: a JSONL directory when `logs_dir` is set, else the
    bundled sample generated under the home."""

    logs_dir: str | None = None
    sample_dir: str
    sample_entries: int = DEFAULT_SAMPLE_ENTRIES

    def open(self) -> LogSource:
        if self.logs_dir:
            return JsonlDirectorySource(root=Path(self.logs_dir))
        return sample_source(Path(self.sample_dir), self.sample_entries)


class LakeResource(dg.ConfigurableResource):
    """The Iceberg catalog holding the `raw` namespace."""

    home: str

    def catalog(self) -> Catalog:
        return lake.open_catalog(Path(self.home) / "lake")

    def table(self, identifier: str) -> Table:
        return lake.ensure_table(self.catalog(), identifier)
