"""Metabase provisioning: each question runs on a real snapshot; the API plan is complete."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from claude_analytics_tests.serving.conftest import Served

PROVISION = Path(__file__).resolve().parents[2] / "deploy" / "metabase" / "provision.py"
OLD_PLATFORM_QUESTIONS = {
    "Sessions over time",
    "Session duration",
    "Activity heatmap",
    "Tool usage",
    "Tool categories",
    "Project activity",
    "Code changes",
    "File types",
}
TOKEN_AND_COST_QUESTIONS = {"Daily tokens by model", "Daily cost by model", "5-hour usage blocks"}


@pytest.fixture(scope="module")
def provision() -> ModuleType:
    spec = importlib.util.spec_from_file_location("metabase_provision", PROVISION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_every_question_runs_on_the_snapshot(provision: ModuleType, served: Served) -> None:
    questions = provision.parse_questions(provision.QUESTIONS_FILE.read_text())
    names = {q.name for q in questions}
    assert names >= OLD_PLATFORM_QUESTIONS | TOKEN_AND_COST_QUESTIONS
    with duckdb.connect(str(served.snapshot), read_only=True) as con:
        for question in questions:
            cursor = con.execute(question.sql)
            columns = {d[0] for d in cursor.description}
            rows = cursor.fetchall()
            assert set(question.x) | set(question.y) <= columns, question.name
            if not question.name.endswith("dead letters"):  # the sample has none
                assert rows, f"{question.name} returned no rows"


def test_dry_run_plans_database_cards_and_dashboard(
    provision: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert provision.main(["--dry-run", "--snapshot", "/srv/serving/analytics.duckdb"]) == 0
    calls = json.loads(capsys.readouterr().out)
    questions = provision.parse_questions(provision.QUESTIONS_FILE.read_text())

    [database] = [
        c["body"] for c in calls if c["method"] == "POST" and c["path"] == "/api/database"
    ]
    assert database["engine"] == "duckdb"
    assert database["details"] == {
        "database_file": "/srv/serving/analytics.duckdb",
        "read_only": True,
    }
    cards = [c["body"] for c in calls if c["path"] == "/api/card"]
    assert [c["name"] for c in cards] == [q.name for q in questions]
    assert all(c["dataset_query"]["type"] == "native" for c in cards)
    assert [c["dataset_query"]["native"]["query"] for c in cards] == [q.sql for q in questions]
    [layout] = [c["body"] for c in calls if c["method"] == "PUT" and "/api/dashboard/" in c["path"]]
    cells = {(d["row"], d["col"]) for d in layout["dashcards"]}
    assert len(layout["dashcards"]) == len(cells) == len(questions)
    assert "password" not in json.dumps(calls).lower()


def test_malformed_questions_are_rejected(provision: ModuleType) -> None:
    with pytest.raises(ValueError, match="unknown display"):
        provision.parse_questions("-- question: A\n-- display: sparkle\nselect 1;\n")
    with pytest.raises(ValueError, match="one SQL statement"):
        provision.parse_questions("-- question: A\n-- display: table\nselect 1; select 2;\n")
    with pytest.raises(ValueError, match="duplicate"):
        provision.parse_questions("-- question: A\nselect 1;\n-- question: A\nselect 2;\n")
