"""Anomalies to the alert sink (alerts.log, ALERT_WEBHOOK_URL), each one once.

The checks run on every hourly build and every daily full refresh, and a spike stays in
the recent window for a week: without a memory the same day would page someone every
hour. The log is that memory: an anomaly whose check and key already have a line there is
not sent again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from claude_analytics.core.alerts.delivery import deliver_json
from claude_analytics.core.warehouse.anomalies import Anomaly

ANOMALY_KIND = "anomaly"


@dataclass(frozen=True)
class AnomalyDelivery:
    sent: list[Anomaly]
    already_alerted: int
    webhook_errors: list[str]


def alerted_keys(log_path: Path) -> set[tuple[str, str]]:
    """(check, key) of every anomaly already in the log."""
    if not log_path.exists():
        return set()
    keys: set[tuple[str, str]] = set()
    with log_path.open(encoding="utf-8") as log:
        for line in log:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("kind") == ANOMALY_KIND:
                keys.add((str(record.get("check")), str(record.get("key"))))
    return keys


def alert_new_anomalies(
    anomalies: list[Anomaly], log_path: Path, webhook_url: str | None
) -> AnomalyDelivery:
    """Log and post the anomalies not alerted before, one alert each, with their numbers."""
    seen = alerted_keys(log_path)
    sent: list[Anomaly] = []
    errors: list[str] = []
    for anomaly in anomalies:
        if (anomaly.check, anomaly.key) in seen:
            continue
        payload = {
            "kind": ANOMALY_KIND,
            "check": anomaly.check,
            "key": anomaly.key,
            "message": anomaly.summary,
            "figures": anomaly.figures,
            "raised_at": datetime.now(UTC).isoformat(),
        }
        delivery = deliver_json(payload, log_path, webhook_url)
        if delivery.webhook_error:
            errors.append(delivery.webhook_error)
        seen.add((anomaly.check, anomaly.key))
        sent.append(anomaly)
    return AnomalyDelivery(
        sent=sent, already_alerted=len(anomalies) - len(sent), webhook_errors=errors
    )
