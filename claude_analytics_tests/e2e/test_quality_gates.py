"""A failed blocking check stops everything after the lake in the same run, and the
run-failure sensor raises an alert (log line + webhook POST) that holds no secret."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import pytest

from claude_analytics.commands.instance import get_instance
from claude_analytics.commands.runner import run_full_pipeline
from claude_analytics.core.alerts.delivery import build_alert
from claude_analytics.core.alerts.failures import StepFailure
from claude_analytics.core.config import load_settings
from claude_analytics.definitions import defs
from claude_analytics.defs.alerts.sensors import alert_on_run_failure
from claude_analytics.defs.resources import alerts_resource
from claude_analytics_tests.conftest import SMALL_SAMPLE

FIRST = SMALL_SAMPLE.start
LAST = FIRST + timedelta(days=SMALL_SAMPLE.days)
WEBHOOK_TOKEN = "xoxb-0000000000-webhooksecrettoken"


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append({"path": self.path, "body": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/{WEBHOOK_TOKEN}"
    finally:
        server.shutdown()
        server.server_close()


def _break_the_gates(small_sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One unreadable file (a dead letter over a 0% gate) and one impossible entry."""
    broken = small_sample / "-home-dev-broken" / "session.jsonl"
    broken.parent.mkdir()
    day = FIRST + timedelta(days=1)  # inside the sample's window
    broken.write_bytes(
        b'{"type": "user", "timestamp": "' + f"{day}".encode() + b'T10:00:00Z", "sessionId": "s"\n'
    )
    # a file with no parseable line is dated by its modification time: inside the window
    written = datetime.combine(day, time(10, 5), tzinfo=UTC).timestamp()
    os.utime(broken, (written, written))
    # a usable line pandera must reject: negative tokens type-check but are impossible
    negative = {
        "type": "assistant",
        "uuid": "negative-tokens",
        "sessionId": "s",
        "timestamp": f"{day}T11:00:00Z",
        "message": {"role": "assistant", "usage": {"input_tokens": 3, "output_tokens": -40}},
    }
    (broken.parent / "negative.jsonl").write_text(json.dumps(negative) + "\n")
    monkeypatch.setenv("CLAUDE_ANALYTICS_MAX_DEAD_LETTER_RATE", "0")


@pytest.mark.filterwarnings("ignore::dagster.BetaWarning")  # build_..._context(repository_def)
def test_failed_gates_stop_the_marts_and_raise_an_alert(
    small_sample: Path, webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_the_gates(small_sample, monkeypatch)
    monkeypatch.setenv("ALERT_WEBHOOK_URL", webhook)
    settings = load_settings()

    result = run_full_pipeline(defs(), settings, FIRST, LAST)

    assert not result.success
    assert result.get_failed_step_keys() == {"lake_raw"}
    assert {e.step_key for e in result.get_step_success_events()} == set()
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    rate = evaluations["dead_letter_rate"]
    assert not rate.passed
    assert rate.metadata["dead_letters"].value == 1
    assert rate.metadata["source_lines"].value == SMALL_SAMPLE.entries + 2
    schema = evaluations["batch_schema"]
    assert not schema.passed
    assert schema.metadata["failures_by_check"].value == {
        "output_tokens: greater_than_or_equal_to(0)": 1
    }
    assert evaluations["source_parity"].passed
    # neither the warehouse nor dbt ran: no DuckDB file was even created
    assert not settings.duckdb_path.exists()

    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_instance=get_instance(settings),
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        repository_def=defs().get_repository_def(),
        resources={"alerts": alerts_resource(settings)},
    ).for_run_failure()
    alert_on_run_failure(context)

    log_lines = (settings.home / "alerts.log").read_text().splitlines()
    assert len(log_lines) == 1
    logged = json.loads(log_lines[0])
    assert logged["run_id"] == result.run_id
    assert logged["job_name"] == "full_pipeline"
    assert logged["failed_steps"] == ["lake_raw"]
    assert any("dead_letter_rate" in error for error in logged["errors"])
    assert logged["partitions"] == f"{FIRST}...{LAST}"
    [failure] = logged["failures"]
    assert failure["assets"] == ["lake/raw/conversations", "lake/raw/dead_letters"]
    assert failure["error_type"] != "DagsterExecutionStepExecutionError"
    assert logged["webhook_status"] == 204
    assert len(_Hook.received) == 1
    posted = _Hook.received[0]["body"]
    assert posted["run_id"] == result.run_id
    assert posted["errors"] == logged["errors"]
    assert WEBHOOK_TOKEN not in (settings.home / "alerts.log").read_text()
    assert WEBHOOK_TOKEN not in json.dumps(posted)


def test_a_failed_cli_run_shows_the_failed_step_and_its_cause(
    small_sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`claude-analytics run` ends with what failed and why, on screen, and the log's path."""
    from typer.testing import CliRunner

    from claude_analytics.cli import app

    _break_the_gates(small_sample, monkeypatch)
    result = CliRunner().invoke(app, ["run"], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "✗ extract → lake" in result.output
    failure = next(line for line in result.output.splitlines() if line.startswith("✗ lake_raw"))
    assert "dead_letter_rate" in result.output and "Error occurred while" not in failure
    assert "full_pipeline failed" in result.output
    logged = next(load_settings().home.glob("logs/full_pipeline-*.log")).read_text()
    assert "STEP_FAILURE" in logged or "lake_raw" in logged
    assert len(result.output.splitlines()) <= 25, result.output


def test_alert_texts_are_scrubbed_of_secrets() -> None:
    alert = build_alert(
        job_name="full_pipeline",
        run_id="r1",
        message="failed reading mongodb://app:Pa55word!@mongo:27017",
        failures=[
            StepFailure(
                "lake_raw",
                "ServerSelectionTimeoutError",
                "mongodb://app:Pa55word!@mongo:27017 unreachable",
                caused_by=["KeyError: sk-ant-api03-" + "k" * 30],
            ),
            StepFailure("dbt_models", "KeyError", "the value verbatim: hunter2-secret"),
            StepFailure("serving__dashboard", "ValueError", "x" * 10_000),
        ],
        secrets=("hunter2-secret",),
    )
    text = json.dumps(asdict(alert))
    for secret in ("Pa55word!", "sk-ant-api03-", "hunter2-secret"):
        assert secret not in text
    assert "[REDACTED:url_password]" in alert.message
    assert "[REDACTED:secret]" in alert.errors[1]
    assert len(alert.errors[2]) == 2_000
    assert alert.failed_steps == ["lake_raw", "dbt_models", "serving__dashboard"]


@pytest.mark.filterwarnings("ignore::dagster.BetaWarning")  # build_..._context(repository_def)
def test_an_alert_names_the_exception_under_dagsters_wrapper_and_the_failing_days(
    tmp_path: Path, webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster reports `DagsterExecutionStepExecutionError: Error occurred while executing op`;
    the alert carries what the asset raised, what that wrapped, the asset and the days."""
    from claude_analytics.defs.partitions import daily_partitions

    uri = "mongodb://reader:s3cr3t-pw@mongo.internal:27017"
    monkeypatch.setenv("MONGO_URI", uri)
    monkeypatch.setenv("ALERT_WEBHOOK_URL", webhook)

    @dg.asset(key=["lake", "failing"], partitions_def=daily_partitions)
    def failing() -> None:
        try:
            raise ConnectionRefusedError(f"connect to {uri} refused")
        except ConnectionRefusedError as exc:
            raise RuntimeError("the source could not be read") from exc

    definitions = dg.Definitions(assets=[failing])
    instance = get_instance(load_settings())
    result = definitions.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": "2026-11-01",
            "dagster/asset_partition_range_end": "2026-11-03",
        },
        raise_on_error=False,
    )
    assert not result.success
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        repository_def=definitions.get_repository_def(),
        resources={"alerts": alerts_resource(load_settings())},
    ).for_run_failure()
    alert_on_run_failure(context)

    logged = json.loads((load_settings().home / "alerts.log").read_text().splitlines()[-1])
    assert logged == {**_Hook.received[0]["body"], "webhook_status": 204, "webhook_error": None}
    assert logged["partitions"] == "2026-11-01...2026-11-03"
    [failure] = logged["failures"]
    assert failure["step"] == "lake__failing"
    assert failure["assets"] == ["lake/failing"]
    assert (failure["error_type"], failure["message"]) == (
        "RuntimeError",
        "the source could not be read",
    )
    assert failure["caused_by"] == ["ConnectionRefusedError: connect to [REDACTED:secret] refused"]
    assert "s3cr3t-pw" not in json.dumps(logged)
    assert logged["errors"] == ["RuntimeError: the source could not be read"]


def test_a_webhook_that_is_down_still_leaves_the_alert_in_the_log(tmp_path: Path) -> None:
    from claude_analytics.core.alerts.delivery import deliver

    alert = build_alert("job", "r2", "boom", [], secrets=())
    delivery = deliver(alert, tmp_path / "alerts.log", "http://127.0.0.1:9/hook/secret-token")
    assert delivery.webhook_status is None
    assert delivery.webhook_error is not None
    logged = (tmp_path / "alerts.log").read_text()
    assert json.loads(logged)["run_id"] == "r2"
    assert "secret-token" not in logged
