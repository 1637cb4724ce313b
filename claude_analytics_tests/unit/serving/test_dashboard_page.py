"""The page template, without a pipeline: a missing column is named on its card, values from
the data are escaped, and nothing in the data can end a script element."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from claude_analytics.core.serving.dashboard import page as page_module
from claude_analytics.core.serving.dashboard import render

HOSTILE_PROJECT = "</script><script>window.__pwned = 1</script><!--"
HOSTILE_USER = '"><img src=x onerror="window.__pwned = 1">'


def _scripts(page: str, element: str) -> object:
    body = page.split(f'id="{element}">', 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_a_panel_lacking_a_column_names_it_and_the_others_still_draw(tmp_path: Path) -> None:
    snapshot = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(snapshot)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.agg_daily_summary as "
            "select date '2026-11-01' + i::int as event_date, i + 1 as entries "
            "from range(3) as t(i)"
        )
        con.execute(
            "create table marts.agg_hourly_activity as "
            "select 1 as iso_weekday, 9 as hour_of_day, 4 as prompts"
        )
    page, result = render(snapshot)
    assert result.missing["sessions-per-day"] == ["marts.agg_daily_summary.sessions"]
    assert "Waiting for marts.agg_daily_summary.sessions in the marts." in page
    assert result.charts == {"activity-heatmap": 1}
    assert _scripts(page, "dashboard-missing") == result.missing


def test_values_from_the_data_are_escaped_and_cannot_end_a_script(tmp_path: Path) -> None:
    snapshot = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(snapshot)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.fct_token_usage as
            select * from (values
                ('s1', $project, $user, 'claude-opus-4-6', date '2026-03-10', false,
                    10, 20, 30, 40, 0.5, 0)
            ) as t(session_id, project_id, user_id, model_id, event_date, is_sidechain,
                input_tokens, output_tokens, cache_creation_input_tokens,
                cache_read_input_tokens, cost_usd, unpriced_tokens)
            """,
            {"project": HOSTILE_PROJECT, "user": HOSTILE_USER},
        )
        con.execute("create table marts.dim_users as select $user as user_id, 0.5 as cost_usd",
                    {"user": HOSTILE_USER})  # fmt: skip
    page, result = render(snapshot)
    assert result.users == [HOSTILE_USER] and "cost-by-project" in result.user_charts
    # every script element closes where the template closes it, and only there
    assert page.count("<script") == page.count("</script>") == 6
    assert HOSTILE_PROJECT not in page and HOSTILE_USER not in page
    # ...and the data arrives intact: the figures and the filter hold the names as they are
    [bars] = _scripts(page, "dashboard-figures")["cost-by-project"]["data"]
    assert bars["y"] == [HOSTILE_PROJECT]
    users = _scripts(page, "dashboard-user-figures")
    assert list(users) == [HOSTILE_USER]
    assert users[HOSTILE_USER]["cost-by-project"]["data"][0]["y"] == [HOSTILE_PROJECT]
    escaped = "&#34;&gt;&lt;img src=x onerror=&#34;window.__pwned = 1&#34;&gt;"
    assert f'<option value="{escaped}">{escaped}</option>' in page


def test_the_page_carries_its_script_and_style_as_they_are(tmp_path: Path) -> None:
    snapshot = tmp_path / "analytics.duckdb"
    duckdb.connect(str(snapshot)).close()
    page, result = render(snapshot)
    folder = Path(page_module.__file__).parent
    assert (folder / "page.js").read_text() in page
    assert (folder / "page.css").read_text() in page
    assert page.startswith("<!doctype html>")
    assert result.charts == {} and "Waiting for marts.agg_model_costs in the marts." in page
