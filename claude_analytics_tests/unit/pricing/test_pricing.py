"""The price table from genai-prices, the local overrides and the model-id matching."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from genai_prices import Usage, calc_price

from claude_analytics.core.pricing.library import OPEN_START, library_version, price_rows
from claude_analytics.core.pricing.matching import match_model
from claude_analytics.core.pricing.overrides import PriceOverrideError, read_overrides
from claude_analytics.core.pricing.tables import build_reference_tables
from claude_analytics.core.warehouse import tables as warehouse

HEADER = (
    "model_id,valid_from,input_per_mtok,output_per_mtok,cache_write_5m_per_mtok,"
    "cache_write_1h_per_mtok,cache_read_per_mtok,input_tokens_above\n"
)


def _rows(provider: str, model: str) -> list[tuple]:
    return sorted(
        (r.valid_from, r.valid_to, r.input_tokens_above, r.input_per_mtok, r.output_per_mtok)
        for r in price_rows()
        if r.provider_id == provider and r.price_model_id == model
    )


def test_the_table_keeps_the_librarys_periods_and_context_tiers() -> None:
    # Opus 4.6: 200k-token tier until 2026-03-13, one flat price since
    assert _rows("anthropic", "claude-opus-4-6") == [
        (OPEN_START, date(2026, 3, 13), 0, 5.0, 25.0),
        (OPEN_START, date(2026, 3, 13), 200_000, 10.0, 37.5),
        (date(2026, 3, 13), None, 0, 5.0, 25.0),
    ]
    assert _rows("anthropic", "claude-sonnet-4-5") == [
        (OPEN_START, None, 0, 3.0, 15.0),
        (OPEN_START, None, 200_000, 6.0, 22.5),
    ]
    keys = [
        (r.provider_id, r.price_model_id, r.valid_from, r.input_tokens_above) for r in price_rows()
    ]
    assert len(keys) == len(set(keys))
    assert all(r.source == f"genai-prices {library_version()}" for r in price_rows())


def test_cache_prices_come_from_the_library_and_one_hour_writes_default_to_twice_input() -> None:
    [haiku] = [
        r
        for r in price_rows()
        if r.provider_id == "anthropic" and r.price_model_id == "claude-haiku-4-5"
    ]
    assert (
        haiku.cache_write_5m_per_mtok,
        haiku.cache_write_1h_per_mtok,
        haiku.cache_read_per_mtok,
    ) == (
        1.25,
        2.0,
        0.1,
    )
    assert haiku.is_cache_write_1h_derived is False
    derived = [r for r in price_rows() if r.is_cache_write_1h_derived]
    assert derived and all(r.cache_write_1h_per_mtok == 2 * r.input_per_mtok for r in derived)


@pytest.mark.parametrize(
    ("model_id", "provider", "price_model"),
    [
        ("claude-opus-4-6", "anthropic", "claude-opus-4-6"),
        ("claude-sonnet-4-6", "anthropic", "claude-sonnet-4-6"),
        ("claude-opus-4-7", "anthropic", "claude-opus-4-7"),
        ("claude-haiku-4-5-20251001", "anthropic", "claude-haiku-4-5"),
        ("claude-sonnet-4-20250514", "anthropic", "claude-sonnet-4-0"),
        ("anthropic/claude-opus-4-6", "anthropic", "claude-opus-4-6"),
        (
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "aws",
            "regional.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        ("global.anthropic.claude-opus-4-6-v1", "aws", "global.anthropic.claude-opus-4-6-v1:0"),
        ("claude-sonnet-4-5@20250929", "google", "claude-sonnet-4-5"),
    ],
)
def test_model_ids_resolve_the_way_the_library_resolves_them(
    model_id: str, provider: str, price_model: str
) -> None:
    match = match_model(model_id, set())
    assert (match.provider_id, match.price_model_id, match.matched_by) == (
        provider,
        price_model,
        "genai-prices",
    )


def test_unknown_ids_stay_unknown_and_overrides_win(tmp_path: Path) -> None:
    assert match_model("claude-future-9", set()).is_known is False
    assert match_model("<synthetic>", set()).is_known is False
    assert match_model("claude-future-9", {"claude-future-9"}).matched_by == "override"
    # an override of the library's model id covers its dated ids too
    dated = match_model("claude-opus-4-6-20260205", {"claude-opus-4-6"})
    assert (dated.provider_id, dated.price_model_id) == ("local", "claude-opus-4-6")


def test_overrides_fill_cache_prices_from_anthropics_ratios(tmp_path: Path) -> None:
    path = tmp_path / "price_overrides.csv"
    path.write_text(
        HEADER + "claude-future-9,2026-01-01,4,20,,,,\nclaude-future-9,2026-06-01,2,10,3,5,0.5,\n"
    )
    first, second = read_overrides(path)
    assert (first.valid_to, first.cache_write_5m_per_mtok, first.cache_write_1h_per_mtok) == (
        date(2026, 6, 1),
        5.0,
        8.0,
    )
    assert first.cache_read_per_mtok == pytest.approx(0.4)
    assert (second.valid_to, second.cache_write_5m_per_mtok, second.cache_read_per_mtok) == (
        None,
        3.0,
        0.5,
    )
    assert read_overrides(tmp_path / "absent.csv") == []
    path.write_text(HEADER + "claude-x,not-a-date,1,2,,,,\n")
    with pytest.raises(PriceOverrideError, match="line 2"):
        read_overrides(path)


def _warehouse(path: Path, models: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    warehouse.ensure_raw_tables(con)
    for index, model in enumerate(models):
        con.execute(
            "insert into raw.conversations (entry_id, event_time, event_date, entry_type, model, "
            "raw_json) values ($id, now(), current_date, 'assistant', $model, '{}')",
            {"id": f"e{index}", "model": model},
        )
    echo = {
        "type": "progress",
        "data": {"type": "agent_progress", "message": {"message": {"model": "claude-opus-4-7"}}},
    }
    con.execute(
        "insert into raw.conversations (entry_id, event_time, event_date, entry_type, raw_json) "
        "values ('echo', now(), current_date, 'progress', $json)",
        {"json": json.dumps(echo)},
    )
    return con


def test_the_reference_tables_keep_unchanged_models_stamps(tmp_path: Path) -> None:
    """The dbt models reprice only responses whose model's match or prices changed."""
    overrides = tmp_path / "price_overrides.csv"
    con = _warehouse(tmp_path / "w.duckdb", ["claude-opus-4-6", "claude-future-9"])
    first = datetime(2026, 1, 1, tzinfo=UTC)
    built = build_reference_tables(con, overrides, now=first)
    assert built.unknown_models == ["claude-future-9"]
    stamps = dict(
        con.execute("select model_id, _loaded_at from reference.model_matches").fetchall()
    )
    assert set(stamps) == {"claude-opus-4-6", "claude-future-9", "claude-opus-4-7"}
    assert con.execute("select count(*) from reference.model_prices").fetchone()[0] == len(
        price_rows()
    )

    overrides.write_text(HEADER + "claude-future-9,2026-01-01,4,20,,,,\n")
    second = datetime(2026, 1, 2, tzinfo=UTC)
    rebuilt = build_reference_tables(con, overrides, now=second)
    assert rebuilt.unknown_models == [] and rebuilt.changed_models == 1
    after = dict(con.execute("select model_id, _loaded_at from reference.model_matches").fetchall())
    assert after["claude-opus-4-6"] == stamps["claude-opus-4-6"]
    assert after["claude-future-9"] == second
    con.close()


def test_the_librarys_calculator_agrees_with_a_row_of_the_table() -> None:
    """A long Sonnet 4.5 request: the whole request at the tier, as the table's tier row says."""
    usage = Usage(
        input_tokens=10 + 5_000 + 250_000,
        output_tokens=1_000,
        cache_write_tokens=5_000,
        cache_read_tokens=250_000,
    )
    price = calc_price(
        usage,
        "claude-sonnet-4-5-20250929",
        genai_request_timestamp=datetime(2026, 1, 1, tzinfo=UTC),
    )
    [tier] = [
        r
        for r in price_rows()
        if r.price_model_id == "claude-sonnet-4-5"
        and r.provider_id == "anthropic"
        and r.input_tokens_above
    ]
    by_table = (
        10 * tier.input_per_mtok
        + 1_000 * tier.output_per_mtok
        + 5_000 * tier.cache_write_5m_per_mtok
        + 250_000 * tier.cache_read_per_mtok
    ) / 1e6
    assert float(price.total_price) == pytest.approx(by_table, rel=1e-12)


def _load_day(con: duckdb.DuckDBPyConnection, day: str, models: list[str]) -> None:
    """What a warehouse load does: the day's rows replaced, the day noted as changed."""
    con.execute("delete from raw.conversations where event_date = $day", {"day": day})
    for index, model in enumerate(models):
        con.execute(
            "insert into raw.conversations (entry_id, event_time, event_date, entry_type, model, "
            "raw_json) values ($id, $day::timestamptz, $day, 'assistant', $model, '{}')",
            {"id": f"{day}-{index}", "day": day, "model": model},
        )
    con.execute("insert into raw.loaded_days values ($day, now(), 'run')", {"day": day})


def test_the_observed_models_follow_the_loaded_days_only(tmp_path: Path) -> None:
    """After the first build, only the days loaded since are read again: a model a load
    adds appears, one whose day was replaced without it goes, and a row no load noted is
    not read (every warehouse load notes its days)."""
    overrides = tmp_path / "price_overrides.csv"
    con = _warehouse(tmp_path / "w.duckdb", [])
    _load_day(con, "2026-01-04", ["claude-opus-4-6"])
    first = build_reference_tables(con, overrides)
    assert [m.model_id for m in first.models] == ["claude-opus-4-6", "claude-opus-4-7"]

    _load_day(con, "2026-01-05", ["claude-sonnet-4-6", "claude-haiku-4-5"])
    con.execute(
        "insert into raw.conversations (entry_id, event_time, event_date, entry_type, model, "
        "raw_json) values ('unnoted', now(), '2026-01-06', 'assistant', 'claude-unnoted', '{}')"
    )
    second = build_reference_tables(con, overrides)
    assert [m.model_id for m in second.models] == [
        "claude-haiku-4-5",
        "claude-opus-4-6",
        "claude-opus-4-7",
        "claude-sonnet-4-6",
    ]

    _load_day(con, "2026-01-05", ["claude-sonnet-4-6"])
    third = build_reference_tables(con, overrides)
    assert "claude-haiku-4-5" not in [m.model_id for m in third.models]
    assert [m.model_id for m in third.models] == [
        "claude-opus-4-6",
        "claude-opus-4-7",
        "claude-sonnet-4-6",
    ]
    con.close()
