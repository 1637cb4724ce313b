"""Local prices: a CSV that adds a model the library lacks or replaces a library model's prices.

`$CLAUDE_ANALYTICS_HOME/price_overrides.csv`, one row per model and date the price took
effect (a negotiated discount, a model released after the pinned library version):

    model_id,valid_from,input_per_mtok,output_per_mtok,cache_write_5m_per_mtok,cache_write_1h_per_mtok,cache_read_per_mtok,input_tokens_above
    claude-future-9,2026-01-01,4,20,,,,

`model_id` is either the id as Claude Code writes it or the library's model id (e.g.
`claude-opus-4-6`, which covers its dated and prefixed ids). Empty cache prices follow
Anthropic's ratios to the input price (5-minute write 1.25x, 1-hour write 2x, read 0.1x);
`input_tokens_above` (default 0) makes a row a context tier.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path

from claude_analytics.core.pricing.library import ONE_HOUR_WRITE_MULTIPLIER, PriceRow

OVERRIDE_PROVIDER = "local"
REQUIRED_COLUMNS = ("model_id", "valid_from", "input_per_mtok", "output_per_mtok")
WRITE_5M_MULTIPLIER = 1.25
READ_MULTIPLIER = 0.1


class PriceOverrideError(ValueError):
    """The overrides file cannot be used; names the file and the line."""


def _number(text: str | None) -> float | None:
    return float(text) if text not in (None, "") else None


def read_overrides(path: Path) -> list[PriceRow]:
    """The file's rows as price rows (none when the file does not exist)."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PriceOverrideError(f"{path}: missing column(s) {', '.join(missing)}")
        parsed = []
        for line, record in enumerate(reader, start=2):
            try:
                parsed.append(_row(record, path))
            except ValueError as error:
                raise PriceOverrideError(f"{path}, line {line}: {error}") from error
    return _with_valid_to(parsed)


def _row(record: dict[str, str], path: Path) -> PriceRow:
    model_id = (record.get("model_id") or "").strip()
    if not model_id:
        raise ValueError("model_id is empty")
    base = _number(record["input_per_mtok"])
    output = _number(record["output_per_mtok"])
    if base is None or output is None:
        raise ValueError("input_per_mtok and output_per_mtok are required")
    write_1h = _number(record.get("cache_write_1h_per_mtok"))
    write_5m = _number(record.get("cache_write_5m_per_mtok"))
    read = _number(record.get("cache_read_per_mtok"))
    return PriceRow(
        provider_id=OVERRIDE_PROVIDER,
        price_model_id=model_id,
        model_name=None,
        valid_from=date.fromisoformat(record["valid_from"].strip()),
        valid_to=None,
        input_tokens_above=int(record.get("input_tokens_above") or 0),
        input_per_mtok=base,
        output_per_mtok=output,
        cache_write_5m_per_mtok=write_5m if write_5m is not None else WRITE_5M_MULTIPLIER * base,
        cache_write_1h_per_mtok=write_1h
        if write_1h is not None
        else ONE_HOUR_WRITE_MULTIPLIER * base,
        cache_read_per_mtok=read if read is not None else READ_MULTIPLIER * base,
        is_cache_write_1h_derived=write_1h is None,
        source=f"override {path.name}",
    )


def _with_valid_to(rows: list[PriceRow]) -> list[PriceRow]:
    """Each model's periods end where its next valid_from begins (every tier of a period
    shares the period's dates)."""
    starts: dict[str, list[date]] = {}
    for row in rows:
        starts.setdefault(row.price_model_id, []).append(row.valid_from)
    result = []
    for row in rows:
        later = sorted(d for d in set(starts[row.price_model_id]) if d > row.valid_from)
        result.append(replace(row, valid_to=later[0] if later else None))
    return result
