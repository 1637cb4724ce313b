"""What a query reads from the snapshot, found in the query itself.

A hand-kept list of the columns each reader uses drifts from the SQL it describes; the SQL
cannot. DuckDB's own parser (`json_serialize_sql`) gives the query's tree, and the scoping
rules below attribute each column reference to the relation it is read from, so a panel
whose mart or column is missing can say exactly which, without running (and failing) it.

The rules follow DuckDB's binder where our queries need them: a qualified reference goes to
its table or alias, an unqualified one to the sources of its own FROM; a CTE or subquery
passes on the columns of the sources it selects `*` from, so `with usage as (select * from
marts.x) select y from usage` needs `marts.x.y`; names the SQL defines itself (select-list
aliases, CTE columns, lambda parameters) need nothing from the snapshot. Where nobody can
tell from the SQL (a table function's columns, `COLUMNS(...)`), nothing is attributed: the
analysis may miss such a column, it never invents one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

import duckdb

Node = dict[str, Any]


@dataclass(frozen=True)
class ColumnNeed:
    """A column read from one relation, or (unqualified, in a join) from one of several."""

    relations: tuple[str, ...]
    column: str

    @property
    def label(self) -> str:
        if len(self.relations) == 1:
            return f"{self.relations[0]}.{self.column}"
        return f"{self.column} (in {' or '.join(self.relations)})"


@dataclass(frozen=True)
class Needs:
    """The relations (`schema.table`) and columns a query reads, in order of appearance,
    and the names of the parameters it takes (`$name`)."""

    relations: tuple[str, ...]
    columns: tuple[ColumnNeed, ...]
    parameters: frozenset[str] = frozenset()

    def missing(self, existing: Mapping[str, Iterable[str]]) -> list[str]:
        """What the snapshot lacks for this query: absent relations, then absent columns of
        the relations it has (`relation.column`); empty when the query can run."""
        present = {name.lower(): {c.lower() for c in columns} for name, columns in existing.items()}
        lacking = [relation for relation in self.relations if relation not in present]
        for need in self.columns:
            if any(relation not in present for relation in need.relations):
                continue  # the relation itself is already named
            if not any(need.column in present[relation] for relation in need.relations):
                lacking.append(need.label)
        return list(dict.fromkeys(lacking))

    def columns_of(self, relation: str) -> tuple[str, ...]:
        """The columns read from `relation` alone (what a stand-in of it must have)."""
        return tuple(
            dict.fromkeys(need.column for need in self.columns if need.relations == (relation,))
        )


@cache
def needs(sql: str) -> Needs:
    """Parse `sql` (one SELECT; `$name` parameters allowed) and list what it reads."""
    with duckdb.connect() as con:
        row = con.execute("select json_serialize_sql($sql)", {"sql": sql}).fetchone()
    tree = json.loads(row[0]) if row else {"error": True}
    if tree.get("error"):
        raise ValueError(f"Cannot analyse the query: {tree.get('error_message', 'no result')}")
    collector = _Collector()
    for statement in tree["statements"]:
        collector.query(statement["node"], {})
    return Needs(
        tuple(dict.fromkeys(collector.relations)),
        tuple(dict.fromkeys(collector.columns)),
        frozenset(_parameters(tree)),
    )


def _parameters(tree: Any) -> Iterator[str]:
    """Every `$name` anywhere in the tree (comments are not in it)."""
    if isinstance(tree, list):
        for item in tree:
            yield from _parameters(item)
    elif isinstance(tree, dict):
        if tree.get("class") == "PARAMETER":
            yield str(tree["identifier"])
        for value in tree.values():
            yield from _parameters(value)


@dataclass(frozen=True)
class _Derived:
    """The output of a query the SQL defines itself (a CTE, subquery or table function):
    the columns it names, and the sources whose every column it passes on with `*`."""

    named: frozenset[str] = frozenset()
    star: tuple[_Source, ...] = ()
    excluded: frozenset[str] = frozenset()
    # False when it has columns nobody can list from the SQL (table functions, COLUMNS(...))
    known: bool = True


_Source = str | _Derived  # a base relation (`schema.table`), or a derived one


class _Found(Enum):
    DEFINED = "the query defines the column itself"
    UNKNOWN = "nobody can tell from the SQL"


def _provided(source: _Source, name: str) -> frozenset[str] | _Found:
    """The base relations `name` may be read from through `source` (empty: none has it)."""
    if isinstance(source, str):
        return frozenset({source})
    if name in source.named:
        return _Found.DEFINED
    bases: set[str] = set()
    if name not in source.excluded:
        for inner in source.star:
            found = _provided(inner, name)
            if isinstance(found, _Found):
                return found
            bases |= found
    return frozenset(bases) if bases or source.known else _Found.UNKNOWN


@dataclass
class _Collector:
    relations: list[str] = field(default_factory=list)
    columns: list[ColumnNeed] = field(default_factory=list)

    def query(self, node: Node, ctes: Mapping[str, _Derived]) -> _Derived:
        """A query node: its CTEs first (each sees the ones before it), then its body; returns
        what it outputs, for the queries that read it."""
        ctes = dict(ctes)
        for entry in (node.get("cte_map") or {}).get("map", []):
            name = entry["key"].lower()
            ctes[name] = _Derived(known=False)  # what a recursive CTE sees of itself
            output = self.query(entry["value"]["query"]["node"], ctes)
            renamed = entry["value"].get("aliases") or []
            ctes[name] = _renamed(renamed) if renamed else output
        kind = node["type"]
        if kind == "SELECT_NODE":
            return self._select(node, ctes)
        if "left" in node and "right" in node:  # set operations, recursive CTEs
            left = self.query(node["left"], ctes)
            right = self.query(node["right"], ctes)
            self._expression(node.get("modifiers"), {}, ctes, left.named | right.named)
            return _Derived(
                left.named | right.named,
                left.star + right.star,
                left.excluded & right.excluded,
                left.known and right.known,
            )
        raise ValueError(f"Cannot analyse a {kind} query")

    def _select(self, node: Node, ctes: Mapping[str, _Derived]) -> _Derived:
        sources: dict[str, _Source] = {}
        conditions: list[Any] = []
        self._from(node.get("from_table"), sources, ctes, conditions)
        items = node.get("select_list", [])
        aliases = [_output_name(item) for item in items]
        for position, item in enumerate(items):
            # DuckDB lets an item use an earlier item's alias (when no column has the name)
            earlier = frozenset(a for a in aliases[:position] if a)
            self._expression(item, sources, ctes, earlier)
        defined = frozenset(a for a in aliases if a)
        for expression in conditions:
            self._expression(expression, sources, ctes, frozenset())
        # WHERE, GROUP BY, HAVING, QUALIFY, then ORDER BY, LIMIT and DISTINCT ON, which may
        # all name the select list's aliases
        for key in ("where_clause", "group_expressions", "having", "qualify", "modifiers"):
            self._expression(node.get(key), sources, ctes, defined)
        return _output(items, defined, sources)

    def _from(
        self,
        ref: Node | None,
        sources: dict[str, _Source],
        ctes: Mapping[str, _Derived],
        conditions: list[Any],
    ) -> None:
        if not ref:
            return
        kind = ref["type"]
        alias = str(ref.get("alias") or "").lower()
        renamed = ref.get("column_name_alias") or []
        if kind == "BASE_TABLE":
            table = ref["table_name"].lower()
            schema = str(ref.get("schema_name") or "").lower()
            if not schema and table in ctes:
                sources[alias or table] = _renamed(renamed) if renamed else ctes[table]
                return
            relation = f"{schema}.{table}" if schema else table
            self.relations.append(relation)
            sources[alias or table] = relation
        elif kind == "JOIN":
            self._from(ref["left"], sources, ctes, conditions)
            self._from(ref["right"], sources, ctes, conditions)
            conditions.append(ref.get("condition"))
            conditions += [_column_ref(name) for name in ref.get("using_columns") or ()]
        elif kind == "SUBQUERY":
            output = self.query(ref["subquery"]["node"], ctes)
            key = alias or f"subquery {len(sources)}"
            sources[key] = _renamed(renamed) if renamed else output
        else:  # table functions, VALUES, PIVOT: columns of their own
            sources[alias or f"{kind.lower()} {len(sources)}"] = _renamed(renamed)

    def _expression(
        self,
        tree: Any,
        sources: Mapping[str, _Source],
        ctes: Mapping[str, _Derived],
        defined: frozenset[str],
    ) -> None:
        for names, hidden in _column_refs(tree, self, ctes):
            self._resolve([n.lower() for n in names], sources, defined | hidden)

    def _resolve(
        self, names: list[str], sources: Mapping[str, _Source], defined: frozenset[str]
    ) -> None:
        for position in range(len(names) - 1):  # `alias.column` or `schema.table.column`
            if names[position] in sources:
                self._need([sources[names[position]]], names[position + 1])
                return
        if names[0] not in defined:  # unqualified (or `column.field` of a struct)
            self._need(list(sources.values()), names[0])

    def _need(self, candidates: list[_Source], name: str) -> None:
        bases: set[str] = set()
        for source in candidates:
            found = _provided(source, name)
            if isinstance(found, _Found):
                return
            bases |= found
        if bases:  # (none: not a column of any source, which DuckDB will say itself)
            order = {relation: i for i, relation in enumerate(self.relations)}
            self.columns.append(ColumnNeed(tuple(sorted(bases, key=order.__getitem__)), name))


def _renamed(names: list[str]) -> _Derived:
    """A source whose columns are renamed by `t(a, b)`: the names, and others unknown."""
    return _Derived(frozenset(str(n).lower() for n in names), known=False)


def _output_name(item: Node) -> str:
    """The name a select-list item is read by: its alias, or a plain column's own name."""
    if item.get("alias"):
        return str(item["alias"]).lower()
    if item.get("class") == "COLUMN_REF":
        return str(item["column_names"][-1]).lower()
    return ""


def _output(items: list[Node], named: frozenset[str], sources: Mapping[str, _Source]) -> _Derived:
    star: list[_Source] = []
    excluded: set[str] = set()
    known = True
    for item in items:
        if item.get("class") != "STAR":
            continue
        if item.get("columns"):  # COLUMNS(...): which columns depends on the data's names
            known = False
            continue
        relation = str(item.get("relation_name") or "").lower()
        star += [sources[relation]] if relation in sources else list(sources.values())
        excluded |= {str(name).lower() for name in item.get("exclude_list") or ()}
        named = named | {str(r["key"]).lower() for r in item.get("replace_list") or ()}
    return _Derived(named, tuple(star), frozenset(excluded), known)


def _column_ref(name: str) -> Node:
    return {"class": "COLUMN_REF", "column_names": [name]}


def _column_refs(
    tree: Any,
    collector: _Collector,
    ctes: Mapping[str, _Derived],
    hidden: frozenset[str] = frozenset(),
) -> Iterator[tuple[list[str], frozenset[str]]]:
    """Every column reference in an expression tree, with the lambda parameters in scope;
    subqueries inside it are analysed as queries of their own."""
    if isinstance(tree, list):
        for item in tree:
            yield from _column_refs(item, collector, ctes, hidden)
        return
    if not isinstance(tree, dict):
        return
    kind = tree.get("class")
    if kind == "COLUMN_REF":
        yield tree["column_names"], hidden
    elif kind == "SUBQUERY":
        collector.query(tree["subquery"]["node"], ctes)
        yield from _column_refs(tree.get("child"), collector, ctes, hidden)
    elif kind == "LAMBDA":
        parameters = frozenset(
            names[-1].lower() for names, _ in _column_refs(tree["lhs"], collector, ctes)
        )
        yield from _column_refs(tree["expr"], collector, ctes, hidden | parameters)
    else:
        for value in tree.values():
            yield from _column_refs(value, collector, ctes, hidden)
