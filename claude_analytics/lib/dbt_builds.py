"""Whether a dbt build has anything to do: the mark the last complete build left behind.

Every incremental model re-derives only the days the warehouse loads changed since its
previous build (`raw.loaded_days`), so when no load happened since the last complete build
and the project is the same, `dbt build` would start dbt, parse, and run every model and
test to change nothing: most of an hourly run with no new entries. The mark records what
the last complete build saw; a run whose warehouse and project still match it skips dbt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

MARK_FILE = "last_complete_build.json"


@dataclass(frozen=True)
class BuildMark:
    """The project (manifest digest), the newest warehouse load and the number of dbt
    relations (a dropped table must be rebuilt) a complete build saw."""

    manifest_sha256: str
    loaded_through: str | None
    relations: int = 0


def manifest_digest(manifest_path: Path) -> str:
    return hashlib.sha256(manifest_path.read_bytes()).hexdigest()


def latest_load(con: duckdb.DuckDBPyConnection) -> str | None:
    """The newest `raw.loaded_days` entry, as text (None before the first load)."""
    tables = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'loaded_days'"
    ).fetchone()
    if not tables or not tables[0]:
        return None
    row = con.execute("select cast(max(loaded_at) as varchar) from raw.loaded_days").fetchone()
    return row[0] if row else None


def dbt_relations(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> int:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema in "
        "(select unnest($schemas))",
        {"schemas": list(schemas)},
    ).fetchone()
    return int(row[0]) if row else 0


def read_mark(folder: Path) -> BuildMark | None:
    path = folder / MARK_FILE
    if not path.exists():
        return None
    try:
        return BuildMark(**json.loads(path.read_text()))
    except (ValueError, TypeError):
        return None  # an unreadable mark only costs one build


def write_mark(folder: Path, mark: BuildMark) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{MARK_FILE}.tmp"
    temporary.write_text(json.dumps(asdict(mark)))
    temporary.replace(folder / MARK_FILE)


def clear_mark(folder: Path) -> None:
    """Forget the last build (a failed or partial build must not let the next one skip)."""
    (folder / MARK_FILE).unlink(missing_ok=True)


def nothing_to_build(mark: BuildMark | None, current: BuildMark) -> bool:
    """True when the last complete build saw this very project and these very loads.

    A warehouse that was never loaded has nothing to build either: its first build comes
    with its first entries.
    """
    if current.loaded_through is None:
        return True
    return mark == current
