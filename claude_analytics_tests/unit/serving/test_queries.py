"""The serving queries, without a pipeline: what each needs is read from its SQL exactly, it
is what the dbt marts document, and the token report's slots take only allow-listed SQL."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from claude_analytics.core.contracts import TOKEN_COLUMNS
from claude_analytics.core.serving import queries as queries_module
from claude_analytics.core.serving.needs import needs
from claude_analytics.core.serving.queries import (
    PANELS,
    QUALITY_CHECKS,
    QUALITY_DEAD_LETTERS,
    QUALITY_FRESHNESS,
    SNAPSHOT_INFO,
    SUMMARY,
    TOKEN_REPORT_DIMENSIONS,
    TOKEN_REPORT_PERIODS,
    query,
    query_parameters,
    splits_by_user,
    token_report_sql,
)
from claude_analytics.core.sql_files import fill_slots

MARTS_YAML = Path(__file__).resolve().parents[3] / "dbt_project" / "models" / "marts"
SQL_DIR = Path(queries_module.__file__).parent / "sql"
QUALITY = {QUALITY_CHECKS, QUALITY_DEAD_LETTERS, QUALITY_FRESHNESS, SNAPSHOT_INFO}


def _reader_queries() -> dict[str, str]:
    """Every query the dashboard and the token reports run (not the insight reports')."""
    queries = {
        "summary": SUMMARY.sql,
        "summary for one person": SUMMARY.user_sql or "",
        "users": query("users"),
    }
    for panel in PANELS.values():
        queries[panel.name] = panel.sql
        if panel.user_sql:
            queries[f"{panel.name} for one person"] = panel.user_sql
    queries["blocks_report"] = query("blocks_report")
    for period, dimension, user in itertools.product(
        TOKEN_REPORT_PERIODS, TOKEN_REPORT_DIMENSIONS, (False, True)
    ):
        queries[f"token_report {period} {dimension} {user}"] = token_report_sql(
            period, dimension, user
        )
    return queries


def _documented_marts() -> dict[str, set[str]]:
    """`marts.<model>` -> the columns its dbt YAML documents."""
    marts: dict[str, set[str]] = {}
    for path in MARTS_YAML.glob("*.yml"):
        for model in yaml.safe_load(path.read_text())["models"]:
            marts[f"marts.{model['name']}"] = {c["name"] for c in model.get("columns", [])}
    return marts


def _labels(sql: str) -> list[str]:
    return [need.label for need in needs(sql).columns]


def test_columns_are_attributed_to_the_relation_they_are_read_from() -> None:
    sql = """
        with usage as (
            select *, timezone($tz, responded_at) as local_at from marts.facts
        ),
        totals as (
            select local_at::date as day, sum(cost_usd) as cost_usd from usage group by all
        )
        select t.day, t.cost_usd, d.label, list_transform(d.tags, x -> upper(x)) as tags
        from totals as t
        join marts.days as d on d.day = t.day
        where d.is_open and t.day in (select day from marts.holidays where country = $country)
        order by cost_usd desc, tags
    """
    assert needs(sql).relations == ("marts.facts", "marts.days", "marts.holidays")
    assert _labels(sql) == [
        "marts.facts.responded_at",
        "marts.facts.cost_usd",  # through the `usage` CTE's `*`
        "marts.days.label",
        "marts.days.tags",
        "marts.days.day",
        "marts.days.is_open",
        "marts.holidays.day",
        "marts.holidays.country",
    ]


def test_names_the_query_defines_itself_need_nothing() -> None:
    # select-list aliases (in ORDER BY, and an earlier item's), CTE columns, lambda parameters
    sql = """
        with spend as (
            select model_id as model, sum(cost_usd) as cost from marts.usage group by all
        )
        select model, cost, cost * 2 as doubled, doubled + 1 as more
        from spend
        order by doubled
    """
    assert _labels(sql) == ["marts.usage.model_id", "marts.usage.cost_usd"]
    # a table function's columns cannot be listed from the SQL: nothing is invented for them
    assert _labels("select i, x from marts.t, range(3) as r(i)") == []
    # an unqualified column in a join may come from either base table
    joined = "select label from marts.a join marts.b using (id)"
    assert _labels(joined) == ["label (in marts.a or marts.b)", "id (in marts.a or marts.b)"]
    both = {"marts.a": {"id"}, "marts.b": {"id", "label"}}
    assert needs(joined).missing(both) == []
    assert needs(joined).missing({"marts.a": {"id"}, "marts.b": {"id"}}) == [
        "label (in marts.a or marts.b)"
    ]


def test_missing_names_absent_relations_then_the_absent_columns_of_present_ones() -> None:
    sql = query("panel_freshness")
    everything = {
        QUALITY_FRESHNESS: {"asset_key", "last_materialized_at", "latest_data_at"},
        SNAPSHOT_INFO: {"built_at", "run_id"},
    }
    assert needs(sql).missing(everything) == []
    assert needs(sql).missing({QUALITY_FRESHNESS: everything[QUALITY_FRESHNESS]}) == [SNAPSHOT_INFO]
    assert needs(sql).missing({**everything, SNAPSHOT_INFO: {"run_id"}}) == [
        f"{SNAPSHOT_INFO}.built_at"
    ]
    assert needs(sql).missing({}) == [QUALITY_FRESHNESS, SNAPSHOT_INFO]
    with pytest.raises(ValueError, match="Cannot analyse"):
        needs("select from where")


def test_every_reader_query_reads_only_what_the_marts_document() -> None:
    """The marts' YAML is the dbt side of the contract: a reader needing a column no mart
    documents is caught here, without building anything."""
    documented = _documented_marts()
    for name, sql in _reader_queries().items():
        for relation in needs(sql).relations:
            assert relation in documented or relation in QUALITY, (name, relation)
        lacking = [m for m in needs(sql).missing(documented) if not m.startswith("quality.")]
        assert lacking == [], name


def _stand_ins(sql: str) -> dict[str, set[str]]:
    """A snapshot's columns made from the query's own needs (what stand-in marts must have)."""
    found = needs(sql)
    return {relation: set(found.columns_of(relation)) for relation in found.relations}


@pytest.mark.parametrize("name", sorted(_reader_queries()))
def test_each_missing_column_is_named_exactly(name: str) -> None:
    sql = _reader_queries()[name]
    stand_ins = _stand_ins(sql)
    assert needs(sql).missing(stand_ins) == []
    for relation, columns in stand_ins.items():
        assert needs(sql).missing({**stand_ins, relation: set()}) == [
            f"{relation}.{column}" for column in needs(sql).columns_of(relation)
        ]
        for column in columns:
            fewer = {**stand_ins, relation: columns - {column}}
            assert needs(sql).missing(fewer) == [f"{relation}.{column}"], column
        absent = {r: c for r, c in stand_ins.items() if r != relation}
        assert needs(sql).missing(absent) == [relation]


def test_a_panel_splits_by_user_only_where_its_fact_has_user_id() -> None:
    for name, panel in PANELS.items():
        if panel.user_sql is None:
            continue
        stand_ins = _stand_ins(panel.user_sql)
        assert splits_by_user(panel, stand_ins), name
        without = {relation: columns - {"user_id"} for relation, columns in stand_ins.items()}
        assert not splits_by_user(panel, without), name
        assert query_parameters(panel.user_sql, "alice") == {"user": "alice"}


def test_the_token_report_takes_only_allow_listed_expressions() -> None:
    everyone = token_report_sql("daily")
    assert "${" not in everyone
    assert needs(everyone).parameters == {"timezone", "since", "until", "project"}
    assert query_parameters(everyone, None) is None  # DuckDB refuses parameters it lacks
    one_person = token_report_sql("session", "branch", user_filter=True)
    assert "contains(user_id, $user)" in one_person
    assert needs(one_person).parameters == {"timezone", "since", "until", "project", "user"}
    # the parameters are read from the parsed query: a comment naming one is not one
    assert query_parameters("-- for $user\nselect 1", "alice") is None
    assert query_parameters("select $user as who", "alice") == {"user": "alice"}
    assert "coalesce(git_branch, '(no branch)') as dimension" in one_person
    with pytest.raises(KeyError):
        token_report_sql("daily'; drop table x; --")
    with pytest.raises(KeyError):
        token_report_sql("daily", "hostname")
    with pytest.raises(ValueError, match="slots"):
        fill_slots("select ${a}, ${b}", {"a": "1"})
    with pytest.raises(ValueError, match="slots"):
        fill_slots("select ${a}", {"a": "1", "c": "2"})
    assert fill_slots("select ${a} where x = $a", {"a": "1"}) == "select 1 where x = $a"


def _aliased(tree: Any, alias: str) -> Iterator[dict[str, Any]]:
    if isinstance(tree, list):
        for item in tree:
            yield from _aliased(item, alias)
    elif isinstance(tree, dict):
        if tree.get("alias") == alias and "class" in tree:
            yield tree
        for value in tree.values():
            yield from _aliased(value, alias)


def _column_names(tree: Any) -> set[str]:
    if isinstance(tree, list):
        return set().union(*(_column_names(item) for item in tree)) if tree else set()
    if not isinstance(tree, dict):
        return set()
    if tree.get("class") == "COLUMN_REF":
        return {tree["column_names"][-1]}
    return _column_names(list(tree.values()))


# Stand-ins for the token report's fixed expressions, so its file parses.
REPORT_SLOTS = {"period_expression": "1", "dimension_expression": "1", "user_filter": "true"}


def test_every_total_tokens_sums_every_token_column() -> None:
    """TOKEN_COLUMNS is the one list of token kinds: the SQL files spell the sum out, so a
    new kind must reach each of them (or the mart's own total_tokens is read)."""
    checked = 0
    with duckdb.connect() as con:
        for path in sorted(SQL_DIR.glob("*.sql")):
            if path.name.startswith("report_"):  # the insight reports read the marts' totals
                continue
            text = path.read_text()
            slots = set(re.findall(r"\$\{(\w+)\}", text))
            if not slots <= set(REPORT_SLOTS):  # a copy of a named table sums no tokens
                continue
            sql = fill_slots(text, {slot: REPORT_SLOTS[slot] for slot in slots})
            [row] = con.execute("select json_serialize_sql($sql)", {"sql": sql}).fetchall()
            for expression in _aliased(json.loads(row[0]), "total_tokens"):
                columns = _column_names(expression)
                if columns != {"total_tokens"}:
                    assert columns == set(TOKEN_COLUMNS), path.name
                    checked += 1
    assert checked >= 5
