"""The pinned `genai-prices` release's token prices as flat rows, one per price period and tier.

The library stores a model's prices as a list of conditional prices (a start date each) whose
values may be tiered by the request's input tokens. SQL needs rows: one per (model, valid-from
date, tier), holding the price of each token kind in force there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib.metadata import version

from genai_prices import types
from genai_prices.data import providers

LIBRARY = "genai-prices"
# The library's first price of a model has no start date: it is in force since the model
# existed, long before any transcript.
OPEN_START = date(1970, 1, 1)
# Anthropic's 1-hour cache writes cost twice the base input price; used where the library
# carries no 1-hour price (DESIGN.md), never instead of one it has.
ONE_HOUR_WRITE_MULTIPLIER = 2


def library_version() -> str:
    return version(LIBRARY)


@dataclass(frozen=True)
class PriceRow:
    """USD per million tokens of each kind, for requests whose input tokens exceed
    `input_tokens_above` (0: every request), from `valid_from` until `valid_to` (exclusive)."""

    provider_id: str
    price_model_id: str
    model_name: str | None
    valid_from: date
    valid_to: date | None
    input_tokens_above: int
    input_per_mtok: float
    output_per_mtok: float
    cache_write_5m_per_mtok: float
    cache_write_1h_per_mtok: float
    cache_read_per_mtok: float
    is_cache_write_1h_derived: bool
    source: str


Price = Decimal | types.TieredPrices | None


def _thresholds(prices: types.ModelPrice) -> list[int]:
    starts = {
        tier.start
        for value in vars(prices).values()
        if isinstance(value, types.TieredPrices)
        for tier in value.tiers
    }
    return [0, *sorted(s for s in starts if s > 0)]


def _at(price: Price, threshold: int) -> Decimal | None:
    """The price of a request whose input tokens are just above `threshold`: the library
    applies the highest tier whose start the request's input tokens exceed, to all tokens."""
    if not isinstance(price, types.TieredPrices):
        return price
    applicable = price.base
    for tier in price.tiers:
        if tier.start <= threshold and tier.start > 0:
            applicable = tier.price
    return applicable


def _first(*prices: Decimal | None) -> Decimal:
    """The first price given; a price of 0 is a price."""
    return next(price for price in prices if price is not None)


def tier_rows(
    provider_id: str,
    model: types.ModelInfo,
    prices: types.ModelPrice,
    valid_from: date,
    valid_to: date | None,
    source: str,
) -> list[PriceRow]:
    """One row per context tier of one price period; empty for models not priced by token."""
    rows = []
    for threshold in _thresholds(prices):
        value = {key: _at(getattr(prices, key), threshold) for key in _PRICE_KEYS}
        base_input, output = value["input_mtok"], value["output_mtok"]
        if base_input is None or output is None:
            return []
        # Where the library has no cache price it bills cache tokens as input (its most
        # specific priced unit); 1-hour writes fall back to DESIGN.md's 2x input instead.
        write_5m = _first(value["cache_write_5m_mtok"], value["cache_write_mtok"], base_input)
        write_1h = value["cache_write_1h_mtok"]
        rows.append(
            PriceRow(
                provider_id=provider_id,
                price_model_id=model.id,
                model_name=model.name,
                valid_from=valid_from,
                valid_to=valid_to,
                input_tokens_above=threshold,
                input_per_mtok=float(base_input),
                output_per_mtok=float(output),
                cache_write_5m_per_mtok=float(write_5m),
                cache_write_1h_per_mtok=float(
                    write_1h if write_1h is not None else ONE_HOUR_WRITE_MULTIPLIER * base_input
                ),
                cache_read_per_mtok=float(_first(value["cache_read_mtok"], base_input)),
                is_cache_write_1h_derived=write_1h is None,
                source=source,
            )
        )
    return rows


_PRICE_KEYS = (
    "input_mtok",
    "output_mtok",
    "cache_write_mtok",
    "cache_write_5m_mtok",
    "cache_write_1h_mtok",
    "cache_read_mtok",
)


def _periods(model: types.ModelInfo) -> list[tuple[date, types.ModelPrice]]:
    """(valid_from, prices), oldest first. Time-of-day prices (off-peak discounts) cannot be
    priced per day and are left out: the standard price applies."""
    if isinstance(model.prices, types.ModelPrice):
        return [(OPEN_START, model.prices)]
    periods: dict[date, types.ModelPrice] = {}
    for conditional in model.prices:
        constraint = conditional.constraint
        if isinstance(constraint, types.TimeOfDateConstraint):
            continue
        start = constraint.start_date if constraint is not None else OPEN_START
        periods[start] = conditional.prices  # a later entry wins, as in the library
    return sorted(periods.items(), key=lambda item: item[0])


def price_rows() -> list[PriceRow]:
    """Every token-priced model of every provider in the pinned release."""
    source = f"{LIBRARY} {library_version()}"
    rows: list[PriceRow] = []
    for provider in providers:
        for model in provider.models:
            periods = _periods(model)
            for index, (valid_from, prices) in enumerate(periods):
                valid_to = periods[index + 1][0] if index + 1 < len(periods) else None
                rows += tier_rows(provider.id, model, prices, valid_from, valid_to, source)
    return rows
