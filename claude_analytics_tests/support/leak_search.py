"""Look for given strings in every file under a folder, whatever its format.

Parquet files (the lake) and DuckDB files (the warehouse, the serving snapshot) compress
their text, so they are queried, every column of every row; every other file (the
dashboard's HTML, Dagster's SQLite event log, logs, Iceberg metadata) is searched as bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb


def _pattern(needles: Iterable[str]) -> str:
    return "|".join(re.escape(needle) for needle in needles)


def _in_duckdb(path: Path, pattern: str) -> list[str]:
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
        for schema, name in tables:
            hits = con.execute(
                f'select count(*) from "{schema}"."{name}" as t '
                "where regexp_matches(t::varchar, $pattern)",
                {"pattern": pattern},
            ).fetchone()
            if hits and hits[0]:
                found.append(f"{path} {schema}.{name}: {hits[0]} rows")
    return found


def _in_parquet(path: Path, pattern: str) -> list[str]:
    hits = duckdb.execute(
        "select count(*) from read_parquet($file) as t where regexp_matches(t::varchar, $pattern)",
        {"file": str(path), "pattern": pattern},
    ).fetchone()
    return [f"{path}: {hits[0]} rows"] if hits and hits[0] else []


def find(root: Path, needles: Iterable[str], texts: Iterable[str] = ()) -> list[str]:
    """Where any needle occurs: files under `root` and the extra `texts` (captured logs)."""
    needles = list(needles)
    pattern = _pattern(needles)
    raw = [needle.encode() for needle in needles]
    found = [f"text {i}" for i, text in enumerate(texts) if re.search(pattern, text)]
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            found += _in_parquet(path, pattern)
        elif path.suffix == ".duckdb" and not path.name.startswith("."):
            found += _in_duckdb(path, pattern)
        else:
            content = path.read_bytes()
            found += [f"{path}: {needle!r}" for needle in raw if needle in content]
    return found
