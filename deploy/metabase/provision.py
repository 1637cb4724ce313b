#!/usr/bin/env python3
"""Point a Metabase at the serving snapshot and create the platform's questions.

Standard library only, so it runs in any container next to Metabase. Idempotent: the
database, the collection, each question and the dashboard are found by name and updated
rather than duplicated. Metabase needs the DuckDB driver (MotherDuck's
metabase_duckdb_driver jar in its plugins folder) and the snapshot file mounted read-only.

    METABASE_URL=http://localhost:3000 METABASE_API_KEY=... python deploy/metabase/provision.py \
        --snapshot /data/serving/analytics.duckdb
    python deploy/metabase/provision.py --dry-run    # prints the API calls, touches nothing

Credentials come from the environment only (METABASE_API_KEY, or METABASE_USER and
METABASE_PASSWORD) and are never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUESTIONS_FILE = Path(__file__).with_name("questions.sql")
DISPLAYS = {"line", "bar", "row", "pie", "table", "scalar", "area"}
DATABASE_NAME = "Claude Code analytics"
COLLECTION_NAME = "Claude Code analytics"
DASHBOARD_NAME = "Claude Code analytics"
DEFAULT_SNAPSHOT = "/data/serving/analytics.duckdb"
GRID_COLUMNS = 24
CARD_WIDTH, CARD_HEIGHT = 12, 6


@dataclass(frozen=True)
class Question:
    name: str
    display: str
    sql: str
    description: str = ""
    x: tuple[str, ...] = ()
    y: tuple[str, ...] = ()

    def visualization_settings(self) -> dict[str, Any]:
        if not self.x or not self.y:
            return {}
        return {"graph.dimensions": list(self.x), "graph.metrics": list(self.y)}


@dataclass
class Plan:
    """The API calls a dry run would make, in order (no credentials in it)."""

    calls: list[dict[str, Any]] = field(default_factory=list)


_HEADER = re.compile(r"^--\s*(question|display|description|x|y):\s*(.*)$")


def parse_questions(text: str) -> list[Question]:
    """Blocks of `-- key: value` headers followed by one SQL statement."""
    questions: list[Question] = []
    current: dict[str, str] | None = None
    sql: list[str] = []

    def finish() -> None:
        if current is None:
            return
        statement = "\n".join(sql).strip().rstrip(";").strip()
        columns = {
            k: tuple(c.strip() for c in current.get(k, "").split(",") if c.strip()) for k in "xy"
        }
        questions.append(
            Question(
                name=current["question"],
                display=current.get("display", "table"),
                sql=statement,
                description=current.get("description", ""),
                x=columns["x"],
                y=columns["y"],
            )
        )

    for line in text.splitlines():
        header = _HEADER.match(line.strip())
        if header and header.group(1) == "question":
            finish()
            current, sql = {"question": header.group(2).strip()}, []
        elif header and current is not None and not sql:
            current[header.group(1)] = header.group(2).strip()
        elif current is not None and not line.strip().startswith("--"):
            sql.append(line)
    finish()
    validate(questions)
    return questions


def validate(questions: list[Question]) -> None:
    names = [q.name for q in questions]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate question names in {QUESTIONS_FILE.name}")
    for question in questions:
        if question.display not in DISPLAYS:
            raise ValueError(f"{question.name}: unknown display {question.display!r}")
        if not question.sql or ";" in question.sql:
            raise ValueError(f"{question.name}: needs exactly one SQL statement")


class Metabase:
    """A few Metabase API calls over urllib; `plan` set means record instead of send."""

    def __init__(self, url: str, plan: Plan | None = None) -> None:
        self.url = url.rstrip("/")
        self.plan = plan
        self.headers = {"Content-Type": "application/json"}
        self._fake_id = 0

    def login(self) -> None:
        if self.plan is not None:
            return
        api_key = os.environ.get("METABASE_API_KEY")
        if api_key:
            self.headers["x-api-key"] = api_key
            return
        user, password = os.environ.get("METABASE_USER"), os.environ.get("METABASE_PASSWORD")
        if not user or not password:
            raise SystemExit("Set METABASE_API_KEY, or METABASE_USER and METABASE_PASSWORD.")
        session = self.request("POST", "/api/session", {"username": user, "password": password})
        self.headers["X-Metabase-Session"] = session["id"]

    def request(self, method: str, path: str, body: Any = None) -> Any:
        if self.plan is not None:
            self.plan.calls.append({"method": method, "path": path, "body": body})
            if method == "GET":
                return {"data": []} if path in ("/api/database",) else []
            self._fake_id += 1
            return {"id": self._fake_id}
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers=self.headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            # The body explains the refusal; the request (with credentials) is not echoed.
            raise SystemExit(f"{method} {path}: HTTP {error.code} {error.read()[:500]!r}") from None
        return json.loads(payload) if payload else None


def _by_name(items: Any, name: str) -> dict[str, Any] | None:
    rows = items.get("data", []) if isinstance(items, dict) else items or []
    return next((item for item in rows if item.get("name") == name), None)


def provision(api: Metabase, snapshot: str, questions: list[Question]) -> dict[str, Any]:
    api.login()
    details = {"database_file": snapshot, "read_only": True}
    database = _by_name(api.request("GET", "/api/database"), DATABASE_NAME)
    if database is None:
        database = api.request(
            "POST", "/api/database", {"engine": "duckdb", "name": DATABASE_NAME, "details": details}
        )
    else:
        api.request("PUT", f"/api/database/{database['id']}", {"details": details})
    api.request("POST", f"/api/database/{database['id']}/sync_schema")

    collection = _by_name(api.request("GET", "/api/collection"), COLLECTION_NAME)
    if collection is None:
        collection = api.request(
            "POST", "/api/collection", {"name": COLLECTION_NAME, "color": "#509EE3"}
        )
    existing = api.request(
        "GET", f"/api/collection/{collection['id']}/items?models=card&models=dashboard"
    )

    card_ids: list[int] = []
    for question in questions:
        body = {
            "name": question.name,
            "description": question.description,
            "collection_id": collection["id"],
            "display": question.display,
            "visualization_settings": question.visualization_settings(),
            "dataset_query": {
                "type": "native",
                "native": {"query": question.sql},
                "database": database["id"],
            },
        }
        card = _by_name(existing, question.name)
        if card is None:
            card = api.request("POST", "/api/card", body)
        else:
            api.request("PUT", f"/api/card/{card['id']}", body)
        card_ids.append(card["id"])

    dashboard = _by_name(existing, DASHBOARD_NAME)
    if dashboard is None:
        dashboard = api.request(
            "POST", "/api/dashboard", {"name": DASHBOARD_NAME, "collection_id": collection["id"]}
        )
    per_row = GRID_COLUMNS // CARD_WIDTH
    dashcards = [
        {
            "id": -(index + 1),
            "card_id": card_id,
            "row": (index // per_row) * CARD_HEIGHT,
            "col": (index % per_row) * CARD_WIDTH,
            "size_x": CARD_WIDTH,
            "size_y": CARD_HEIGHT,
        }
        for index, card_id in enumerate(card_ids)
    ]
    api.request("PUT", f"/api/dashboard/{dashboard['id']}", {"dashcards": dashcards})
    return {"database": database["id"], "cards": card_ids, "dashboard": dashboard["id"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("METABASE_URL", "http://localhost:3000"))
    parser.add_argument(
        "--snapshot",
        default=os.environ.get("METABASE_SNAPSHOT_PATH", DEFAULT_SNAPSHOT),
        help="the serving snapshot's path as the Metabase server sees it",
    )
    parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE)
    parser.add_argument("--dry-run", action="store_true", help="print the API calls only")
    args = parser.parse_args(argv)
    questions = parse_questions(args.questions.read_text(encoding="utf-8"))
    plan = Plan() if args.dry_run else None
    result = provision(Metabase(args.url, plan), args.snapshot, questions)
    print(json.dumps(plan.calls if plan else result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
