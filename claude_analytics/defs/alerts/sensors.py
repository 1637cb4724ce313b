"""Tell someone when a run fails: a line in `$CLAUDE_ANALYTICS_HOME/alerts.log`, and a POST
to `ALERT_WEBHOOK_URL` (Slack, Teams, any JSON endpoint) when it is set."""

import dagster as dg

from claude_analytics.lib.alerts import build_alert, deliver
from claude_analytics.lib.settings import load_quality_settings, secret_values


def _step_failures(context: dg.RunFailureSensorContext) -> tuple[list[str], list[str]]:
    steps: list[str] = []
    errors: list[str] = []
    for event in context.get_step_failure_events():
        steps.append(event.step_key or "?")
        error = event.event_specific_data.error if event.event_specific_data else None
        if error is not None:
            errors.append(f"{error.cls_name}: {error.message.strip()}")
    return steps, errors


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    description="Appends failed runs to alerts.log and posts them to ALERT_WEBHOOK_URL.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    settings = load_quality_settings()
    steps, errors = _step_failures(context)
    alert = build_alert(
        job_name=context.dagster_run.job_name,
        run_id=context.dagster_run.run_id,
        message=context.failure_event.message or "run failed",
        failed_steps=steps,
        errors=errors,
        secrets=secret_values(),
    )
    delivery = deliver(alert, settings.alerts_log, settings.alert_webhook_url)
    if delivery.webhook_error:
        context.log.warning(f"Alert webhook failed ({delivery.webhook_error}); logged only.")
