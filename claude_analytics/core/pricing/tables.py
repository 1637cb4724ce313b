"""Write the price table and the model matches into the warehouse (schema `reference`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from claude_analytics.core.pricing.library import PriceRow, price_rows
from claude_analytics.core.pricing.matching import ModelMatch, match_model
from claude_analytics.core.pricing.overrides import read_overrides
from claude_analytics.core.sql_files import read_sql


def sql(name: str) -> str:
    return read_sql(__package__, name)


@dataclass(frozen=True)
class ReferenceBuild:
    price_rows: int
    overrides: int
    models: list[ModelMatch]
    changed_models: int

    @property
    def unknown_models(self) -> list[str]:
        return [m.model_id for m in self.models if not m.is_known]


def _fingerprint(match: ModelMatch, prices: list[PriceRow]) -> str:
    """Changes when the model's match or any of its price rows does."""
    payload = [asdict(match), *(asdict(row) for row in prices)]
    return hashlib.md5(json.dumps(payload, default=str).encode()).hexdigest()


def observed_models(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every model id the raw entries name; a build reads again only the days that
    warehouse loads replaced since the previous one (`raw.loaded_days`, which every load
    appends to in the transaction of its rows).

    A first build, and every build while `raw.loaded_days` is empty, reads every day.
    Runs inside the caller's transaction, which also replaces the reference tables.
    """
    (since,) = con.execute(sql("observed_models_loaded_through")).fetchone() or (None,)
    days, loaded_through = con.execute(
        sql("observed_models_changed_days"), {"since": since}
    ).fetchone() or ([], None)
    every_day = since is None
    if every_day or days:
        scope = {
            "all": every_day,
            "days": days,
            "first": min(days, default=None),
            "last": max(days, default=None),
        }
        con.execute(sql("observed_models_forget"), {"all": every_day, "days": days})
        con.execute(sql("observed_models"), scope)
    con.execute(sql("observed_models_mark"), {"loaded_through": loaded_through})
    found = con.execute(sql("observed_model_ids")).fetchall()
    return [model_id for (model_id,) in found]


def build_reference_tables(
    con: duckdb.DuckDBPyConnection, overrides_path: Path, now: datetime | None = None
) -> ReferenceBuild:
    """Replace both tables in one transaction; `raw.conversations` must exist."""
    overrides = read_overrides(overrides_path)
    rows = [*price_rows(), *overrides]
    by_model: dict[tuple[str, str], list[PriceRow]] = {}
    for row in rows:
        by_model.setdefault((row.provider_id, row.price_model_id), []).append(row)
    override_ids = {row.price_model_id for row in overrides}
    loaded_at = now or datetime.now(UTC)
    con.execute("begin transaction")
    try:
        con.execute(sql("create_reference_tables"))
        matches = [match_model(model_id, override_ids) for model_id in observed_models(con)]
        match_rows = [
            {
                **asdict(match),
                "fingerprint": _fingerprint(
                    match, by_model.get((match.provider_id or "", match.price_model_id or ""), [])
                ),
            }
            for match in matches
        ]
        before = dict(con.execute(sql("model_match_fingerprints")).fetchall())
        con.register("new_prices", pa.Table.from_pylist([asdict(row) for row in rows]))
        con.execute(sql("replace_model_prices"))
        con.register("new_matches", _matches_table(match_rows))
        con.execute(sql("replace_model_matches"), {"loaded_at": loaded_at})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for view in ("new_prices", "new_matches"):
            con.unregister(view)
    changed = sum(1 for row in match_rows if before.get(row["model_id"]) != row["fingerprint"])
    return ReferenceBuild(len(rows), len(overrides), matches, changed)


MATCH_COLUMNS = ("model_id", "provider_id", "price_model_id", "matched_by", "fingerprint")


def _matches_table(match_rows: list[dict[str, object]]) -> pa.Table:
    """Typed even when every provider is null (an empty or all-unknown set of models)."""
    schema = pa.schema([(name, pa.string()) for name in MATCH_COLUMNS])
    return pa.Table.from_pylist(match_rows, schema=schema)
