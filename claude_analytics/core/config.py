"""The one place that reads the environment.

Every path and source choice of the platform is decided here, at call time, so tests can
point everything at temporary directories by setting variables and nothing is read at import.
The Dagster code location binds its resources from these functions once, when it loads
(`defs/resources.py`); the CLI calls them itself. Nothing here writes the environment: dbt
gets the warehouse path from its resource (`--vars`), not from an exported variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SourceKind = Literal["mongodb", "jsonl", "sample"]

DEFAULT_HOME = "./.claude_analytics"
DEFAULT_MONGO_DB = "claude_logs"
DEFAULT_MONGO_COLLECTION = "conversations"
ICEBERG_CATALOG_NAME = "default"
ICEBERG_ENV_PREFIX = "PYICEBERG_CATALOG__DEFAULT__"


def resolve_path(value: str | Path) -> Path:
    """A configured path as every reader must see it: `~` expanded, absolute. dbt runs in its
    project folder, so a relative path would name another file there."""
    return Path(value).expanduser().resolve()


@dataclass(frozen=True)
class HomeLayout:
    """Where the platform keeps its files under `CLAUDE_ANALYTICS_HOME`: the one place each
    path derived from the home is spelled, for the CLI and the Dagster resources alike."""

    home: Path

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def sample_dir(self) -> Path:
        return self.home / "sample"

    @property
    def serving_dir(self) -> Path:
        return self.home / "serving"

    @property
    def price_overrides_path(self) -> Path:
        """Local prices that add to or replace the library's (core/pricing/overrides.py)."""
        return self.home / "price_overrides.csv"

    @property
    def alerts_log(self) -> Path:
        return self.home / "alerts.log"

    @property
    def dbt_target_dir(self) -> Path:
        """Where the pipeline's dbt builds write their artifacts: one folder per home, kept
        from run to run, so dbt finds its previous `partial_parse.msgpack` and parses only
        what changed (dagster-dbt's default is a new folder per invocation, a full parse)."""
        return self.home / "dbt" / "target"

    @property
    def default_duckdb_path(self) -> Path:
        """The writer's database when `DUCKDB_PATH` is unset."""
        return self.home / "analytics.duckdb"


@dataclass(frozen=True)
class Settings(HomeLayout):
    """Resolved configuration; paths are absolute so subprocesses (dbt) see the same files."""

    duckdb_path: Path
    logs_dir: Path | None
    mongo_configured: bool
    mongo_db: str
    mongo_collection: str

    @property
    def source_kind(self) -> SourceKind:
        if self.mongo_configured:
            return "mongodb"
        if self.logs_dir is not None:
            return "jsonl"
        return "sample"

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME") or self.home / "dagster").resolve()


def load_settings() -> Settings:
    """Read the environment variables documented in DESIGN.md; the defaults derived from
    others (the warehouse under the home, the source from which variables are set) are
    decided here and nowhere else."""
    home = resolve_path(os.environ.get("CLAUDE_ANALYTICS_HOME") or DEFAULT_HOME)
    duckdb_env = os.environ.get("DUCKDB_PATH")
    logs_env = os.environ.get("CLAUDE_LOGS_DIR")
    return Settings(
        home=home,
        duckdb_path=resolve_path(duckdb_env)
        if duckdb_env
        else HomeLayout(home).default_duckdb_path,
        logs_dir=resolve_path(logs_env) if logs_env else None,
        mongo_configured=bool(os.environ.get("MONGO_URI")),
        mongo_db=os.environ.get("MONGO_DB") or DEFAULT_MONGO_DB,
        mongo_collection=os.environ.get("MONGO_COLLECTION") or DEFAULT_MONGO_COLLECTION,
    )


def local_timezone() -> str:
    """The machine's IANA time zone, which reports cut days in (as ccusage does): `$TZ`,
    else the zone /etc/localtime points at, else /etc/timezone, else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        candidates.append(target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "")
    zone_file = Path("/etc/timezone")
    if zone_file.is_file():
        candidates.append(zone_file.read_text(encoding="utf-8").strip())
    for name in candidates:
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return "UTC"


def iceberg_catalog_properties(lake_dir: Path) -> dict[str, str]:
    """Default catalog: SQLite + a local warehouse under the home.

    When the user configures the catalog with `PYICEBERG_CATALOG__DEFAULT__*`, those
    variables, read now: pyiceberg reads its environment once, at import, so a process that
    imported it before the variables were set (a test, a long-lived code server) would
    otherwise open a catalog with no URI.
    """
    configured = iceberg_env_properties()
    if configured:
        return configured
    return {
        "type": "sql",
        "uri": f"sqlite:///{lake_dir / 'catalog.db'}",
        "warehouse": f"file://{lake_dir / 'warehouse'}",
    }


def iceberg_env_properties(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`PYICEBERG_CATALOG__DEFAULT__S3__ENDPOINT` → `s3.endpoint`, as pyiceberg names them."""
    return {
        name[len(ICEBERG_ENV_PREFIX) :].lower().replace("__", ".").replace("_", "-"): value
        for name, value in (os.environ if env is None else env).items()
        if name.upper().startswith(ICEBERG_ENV_PREFIX)
    }


DEFAULT_MAX_DEAD_LETTER_RATE = 0.01


@dataclass(frozen=True)
class QualitySettings:
    """Data-quality knobs (issue: quality gates, redaction)."""

    redact: bool
    max_dead_letter_rate: float


def load_quality_settings() -> QualitySettings:
    """`CLAUDE_ANALYTICS_REDACT=0` turns redaction off; the rate is a fraction (0.01 = 1%)."""
    rate = os.environ.get("CLAUDE_ANALYTICS_MAX_DEAD_LETTER_RATE")
    return QualitySettings(
        redact=os.environ.get("CLAUDE_ANALYTICS_REDACT", "1").strip().lower()
        not in ("0", "false", "no", "off"),
        max_dead_letter_rate=float(rate) if rate else DEFAULT_MAX_DEAD_LETTER_RATE,
    )


# A remote catalog's secrets: its OAuth2 client credential or token, and the object
# store's secret key (as a catalog property or in the standard AWS variables).
ICEBERG_SECRET_NAMES = (
    f"{ICEBERG_ENV_PREFIX}CREDENTIAL",
    f"{ICEBERG_ENV_PREFIX}TOKEN",
    f"{ICEBERG_ENV_PREFIX}S3__SECRET_ACCESS_KEY",
    f"{ICEBERG_ENV_PREFIX}S3__SESSION_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


def secret_values() -> tuple[str, ...]:
    """Values that must never be written anywhere (alerts scrub them verbatim)."""
    names = ("MONGO_URI", "ALERT_WEBHOOK_URL", *ICEBERG_SECRET_NAMES)
    return tuple(v for v in (os.environ.get(name) for name in names) if v and len(v) >= 6)


@dataclass(frozen=True)
class IdentitySettings:
    """Who and which machine a sync (or a JSONL run) stamps on its entries; unset means the
    operating system's user and host name (core/identity.py)."""

    user_id: str | None
    hostname: str | None
    hashed: bool
    salt: str


def load_identity_settings() -> IdentitySettings:
    """`CLAUDE_ANALYTICS_USER`, `CLAUDE_ANALYTICS_HOSTNAME`; `CLAUDE_ANALYTICS_HASH_IDENTITY=1`
    writes both as salted hashes (`CLAUDE_ANALYTICS_IDENTITY_SALT`), never the names."""
    return IdentitySettings(
        user_id=os.environ.get("CLAUDE_ANALYTICS_USER") or None,
        hostname=os.environ.get("CLAUDE_ANALYTICS_HOSTNAME") or None,
        hashed=os.environ.get("CLAUDE_ANALYTICS_HASH_IDENTITY", "0").strip().lower()
        in ("1", "true", "yes", "on"),
        salt=os.environ.get("CLAUDE_ANALYTICS_IDENTITY_SALT", ""),
    )


# DuckDB's memory bound for the warehouse writer and dbt (`DUCKDB_MEMORY_LIMIT`). DuckDB's
# own default is 80% of RAM; with a bound, large loads and builds spill to disk instead, so
# a run's peak memory stays flat however long the history grows.
DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
