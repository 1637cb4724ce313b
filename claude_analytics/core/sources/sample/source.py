"""The bundled sample data set: generated once under the home, then read as JSONL."""

from __future__ import annotations

from pathlib import Path

from claude_analytics.core.sources.jsonl import JsonlDirectorySource
from claude_analytics.core.sources.sample.generator import SampleSpec, generate, team_identities

# The main job's default input: small enough for `make run` to finish in seconds, large
# enough to exercise every entry type, several projects, models and two weeks of days.
DEFAULT_SAMPLE_ENTRIES = 3_000


def sample_source(directory: Path, entries: int = DEFAULT_SAMPLE_ENTRIES) -> JsonlDirectorySource:
    """Materialise the deterministic sample on first use; later runs reuse the same files.

    The sample stands for a team's synced collection: its projects belong to a few people
    on their machines, and one project to no one known (synced before identities were).
    """
    marker = directory / ".complete"
    if not marker.exists():
        generate(directory, SampleSpec(entries=entries))
        marker.write_text(f"{entries}\n")
    return JsonlDirectorySource(root=directory, project_identities=team_identities())
