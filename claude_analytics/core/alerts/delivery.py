"""Failure alerts: one JSON line appended under the home, and a POST to a webhook if set.

An alert is built from a failed run's job name, id and days and, for each failed step, the
root cause (the exception the asset raised, not Dagster's wrapper around it) and the assets
the step materializes. Error texts can quote data or a connection string, so every text goes
through the redaction rules and the configured secret values are scrubbed verbatim; the
webhook URL itself is never written.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from claude_analytics.core.alerts.failures import StepFailure
from claude_analytics.core.ingest.redaction import redact_text

MAX_TEXT = 2_000
WEBHOOK_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Alert:
    job_name: str
    run_id: str
    message: str
    # the days the run owned (`2026-11-01...2026-11-03`, or one day), when it had any
    partitions: str | None = None
    failed_steps: list[str] = field(default_factory=list)
    # each failure's root cause as "Type: message", for a reader of the log line
    errors: list[str] = field(default_factory=list)
    failures: list[StepFailure] = field(default_factory=list)
    raised_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Secret-free, bounded text: known secret values first, then pattern-based redaction."""
    for secret in secrets:
        text = text.replace(secret, "[REDACTED:secret]")
    return redact_text(text)[:MAX_TEXT]


def _scrubbed(failure: StepFailure, secrets: tuple[str, ...]) -> StepFailure:
    return replace(
        failure,
        error_type=scrub(failure.error_type, secrets),
        message=scrub(failure.message, secrets),
        caused_by=[scrub(text, secrets) for text in failure.caused_by],
    )


def build_alert(
    job_name: str,
    run_id: str,
    message: str,
    failures: list[StepFailure],
    secrets: tuple[str, ...],
    partitions: str | None = None,
) -> Alert:
    clean = [_scrubbed(failure, secrets) for failure in failures]
    return Alert(
        job_name=job_name,
        run_id=run_id,
        message=scrub(message, secrets),
        partitions=partitions,
        failed_steps=[failure.step for failure in clean],
        errors=[scrub(f"{f.error_type}: {f.message}", secrets) for f in clean],
        failures=clean,
    )


@dataclass(frozen=True)
class Delivery:
    logged_to: Path
    webhook_status: int | None
    webhook_error: str | None


def deliver(alert: Alert, log_path: Path, webhook_url: str | None) -> Delivery:
    """Append to the log (always), then POST the same JSON to the webhook (when set)."""
    return deliver_json({"kind": "run_failure", **asdict(alert)}, log_path, webhook_url)


def deliver_json(payload: dict, log_path: Path, webhook_url: str | None) -> Delivery:
    """Append `payload` to the log (always), then POST it to the webhook (when set).

    A webhook that is down must not hide the alert: its failure is logged next to it.
    """
    status: int | None = None
    error: str | None = None
    if webhook_url:
        request = urllib.request.Request(
            webhook_url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
                status = response.status
        except (urllib.error.URLError, OSError) as exc:
            # the exception text may repeat the URL (and a token in it): keep only its type
            error = type(exc).__name__
    log_path.parent.mkdir(parents=True, exist_ok=True)
    line = {**payload, "webhook_status": status, "webhook_error": error}
    with log_path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")
    return Delivery(logged_to=log_path, webhook_status=status, webhook_error=error)
