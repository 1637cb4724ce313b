"""`claude-analytics backup` / `restore`: consistent copies of the warehouse and the lake's
catalog metadata in timestamped folders, restored with a row-count check.

The warehouse copy is taken while holding DuckDB's shared (read-only) lock, so no writer
can change the file mid-copy. The lake's data files are immutable and never copied by
default: the SQLite catalog and each table's metadata folder are enough to bring back the
exact snapshot, as long as maintenance has not deleted its files (snapshot expiry keeps
7 days); `--with-lake-data` copies the data files too.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from claude_analytics.core.config import Settings, iceberg_env_properties, load_settings
from claude_analytics.core.files import replacing
from claude_analytics.core.lake import catalog as lake
from claude_analytics.core.warehouse.locks import probe_lock
from claude_analytics.core.warehouse.relations import relation_rows

console = Console()
MANIFEST = "manifest.json"
DEFAULT_KEEP = 7
WAREHOUSE_SCHEMAS = ("raw", "staging", "intermediate", "marts", "seeds")


def backups_dir(settings: Settings) -> Path:
    return settings.home / "backups"


def warehouse_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of every table and view the platform owns, by `schema.name`."""
    return {
        found.relation: found.rows
        for found in sorted(relation_rows(con, WAREHOUSE_SCHEMAS), key=lambda r: (r.schema, r.name))
    }


def lake_counts(settings: Settings) -> dict[str, int]:
    """Rows per lake table, scanned (which proves every data file is readable)."""
    return lake.table_rows(lake.open_catalog(settings.lake_dir))


def _lake_is_local(settings: Settings) -> bool:
    """The default SQLite catalog under the home (a configured catalog backs itself up)."""
    return not iceberg_env_properties()


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the catalog is being used."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _metadata_dirs(settings: Settings) -> list[Path]:
    return sorted(p for p in (settings.lake_dir / "warehouse").rglob("metadata") if p.is_dir())


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    removed: list[str]


def backup(
    settings: Settings, keep: int = DEFAULT_KEEP, with_lake_data: bool = False
) -> BackupResult:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir(settings) / stamp
    partial = target.with_name(f".{stamp}.partial")
    partial.mkdir(parents=True)
    manifest: dict[str, Any] = {
        "created_at": datetime.now(UTC).isoformat(),
        "warehouse": None,
        "lake": None,
    }
    if settings.duckdb_path.exists():
        # The read-only connection holds the shared lock for the whole copy: no writer can
        # start, and a writer in progress makes this fail fast instead of copying half a run.
        with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
            (partial / "warehouse").mkdir()
            for suffix in ("", ".wal"):
                source = Path(f"{settings.duckdb_path}{suffix}")
                if source.exists():
                    shutil.copy2(source, partial / "warehouse" / source.name)
            manifest["warehouse"] = {
                "file": settings.duckdb_path.name,
                "relations": warehouse_counts(con),
            }
    catalog_db = settings.lake_dir / "catalog.db"
    if _lake_is_local(settings) and catalog_db.exists():
        _sqlite_copy(catalog_db, partial / "lake" / "catalog.db")
        copied = [settings.lake_dir / "warehouse"] if with_lake_data else _metadata_dirs(settings)
        for folder in copied:
            shutil.copytree(
                folder, partial / "lake" / folder.relative_to(settings.lake_dir), dirs_exist_ok=True
            )
        manifest["lake"] = {"tables": lake_counts(settings), "with_data": with_lake_data}
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    partial.rename(target)
    return BackupResult(target, manifest, prune(settings, keep))


def list_backups(settings: Settings) -> list[Path]:
    root = backups_dir(settings)
    if not root.exists():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).exists())


def prune(settings: Settings, keep: int) -> list[str]:
    """Delete all but the `keep` newest backups (names sort by time)."""
    removed = []
    for old in list_backups(settings)[: max(len(list_backups(settings)) - keep, 0)]:
        shutil.rmtree(old)
        removed.append(old.name)
    return removed


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    expected: dict[str, int]
    actual: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


class RestoreError(RuntimeError):
    pass


def restore(settings: Settings, name: str | None = None) -> RestoreResult:
    backups = list_backups(settings)
    if not backups:
        raise RestoreError(f"no backup under {backups_dir(settings)}")
    chosen = backups[-1] if name is None else backups_dir(settings) / name
    if not (chosen / MANIFEST).exists():
        raise RestoreError(f"{chosen} is not a backup (no {MANIFEST})")
    manifest = json.loads((chosen / MANIFEST).read_text())
    expected: dict[str, int] = {}
    actual: dict[str, int] = {}
    if manifest["warehouse"]:
        holder = probe_lock(settings.duckdb_path)
        if holder is not None:
            raise RestoreError(f"PID {holder} is writing {settings.duckdb_path}: stop it first")
        wal = Path(f"{settings.duckdb_path}.wal")
        with replacing(settings.duckdb_path) as staged:
            shutil.copy2(chosen / "warehouse" / manifest["warehouse"]["file"], staged)
            wal.unlink(missing_ok=True)
            backup_wal = chosen / "warehouse" / f"{manifest['warehouse']['file']}.wal"
            if backup_wal.exists():
                shutil.copy2(backup_wal, wal)
        expected |= {f"warehouse {k}": v for k, v in manifest["warehouse"]["relations"].items()}
        with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
            actual |= {f"warehouse {k}": v for k, v in warehouse_counts(con).items()}
    if manifest["lake"]:
        saved = chosen / "lake"
        for item in saved.iterdir():
            if item.is_dir():
                shutil.copytree(item, settings.lake_dir / item.name, dirs_exist_ok=True)
        _sqlite_copy(saved / "catalog.db", settings.lake_dir / "catalog.db")
        _check_lake_files(settings, with_data=manifest["lake"].get("with_data", False))
        expected |= {f"lake {k}": v for k, v in manifest["lake"]["tables"].items()}
        actual |= {f"lake {k}": v for k, v in lake_counts(settings).items()}
    return RestoreResult(chosen, expected, actual)


def _check_lake_files(settings: Settings, with_data: bool) -> None:
    """Fail with what to do when the restored snapshots reference files that are gone (a
    metadata-only backup of a lake whose data files were lost or expired)."""
    catalog = lake.open_catalog(settings.lake_dir)
    for identifier in (lake.CONVERSATIONS, lake.DEAD_LETTERS):
        if not catalog.table_exists(identifier):
            continue
        missing = lake.missing_files(catalog.load_table(identifier))
        if missing:
            kind = "holds the lake's data files" if with_data else "holds metadata only"
            raise RestoreError(
                f"Restored the catalog, but {identifier}'s snapshot needs {len(missing)} "
                f"file(s) that no longer exist (e.g. {missing[0]}); this backup {kind}. "
                f"To recover: {lake.MISSING_FILES_HINT}. The warehouse was restored."
            )


def backup_command(
    keep: Annotated[int, typer.Option(help="Backups kept; older ones are deleted.")] = DEFAULT_KEEP,
    with_lake_data: Annotated[bool, typer.Option(help="Copy the lake's data files too.")] = False,
) -> None:
    """Copy the warehouse and the Iceberg catalog metadata to a timestamped folder."""
    result = backup(load_settings(), keep=keep, with_lake_data=with_lake_data)
    console.print(f"Backup written to [bold]{result.path}[/]")
    for section in ("warehouse", "lake"):
        counts = (result.manifest[section] or {}).get(
            "relations" if section == "warehouse" else "tables", {}
        )
        for relation, rows in counts.items():
            console.print(f"  {section:<10} {relation:<40} {rows:>12,}")
    if result.removed:
        console.print(f"Removed old backups: {', '.join(result.removed)}")


def restore_command(
    name: Annotated[
        str | None, typer.Argument(help="Backup folder name; the newest by default.")
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List the backups and exit.")] = False,
) -> None:
    """Bring a backup back and verify its row counts; exit 1 when they differ."""
    settings = load_settings()
    if list_only:
        for path in list_backups(settings):
            console.print(path.name)
        return
    try:
        result = restore(settings, name)
    except RestoreError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    table = Table(title=f"Restored {result.path.name}")
    table.add_column("relation")
    table.add_column("backed up", justify="right")
    table.add_column("restored", justify="right")
    for relation in sorted(set(result.expected) | set(result.actual)):
        table.add_row(
            relation, f"{result.expected.get(relation, 0):,}", f"{result.actual.get(relation, 0):,}"
        )
    console.print(table)
    if not result.ok:
        console.print("[red]Row counts differ from the backup's.[/]")
        raise typer.Exit(1)
    console.print("[green]Row counts match the backup.[/]")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
