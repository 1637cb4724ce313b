"""Tell someone when a run fails: a line in `$CLAUDE_ANALYTICS_HOME/alerts.log`, and a POST
to `ALERT_WEBHOOK_URL` (Slack, Teams, any JSON endpoint) when it is set."""

import dagster as dg

from claude_analytics.core.alerts.delivery import build_alert
from claude_analytics.core.alerts.failures import StepFailure, partitions_of, step_failure
from claude_analytics.core.config import secret_values
from claude_analytics.defs.alerts.step_assets import step_assets
from claude_analytics.defs.resource_types import AlertsResource


def _failures(context: dg.RunFailureSensorContext) -> list[StepFailure]:
    """Each failed step's root cause and assets; the run's own error when no step failed
    (a run worker that died, a run that could not start)."""
    run = context.dagster_run
    failures = []
    for event in context.get_step_failure_events():
        step = event.step_key or "?"
        data = event.event_specific_data
        assets = step_assets(context.repository_def, step, run.asset_selection)
        failures.append(step_failure(step, getattr(data, "error", None), assets))
    if not failures:
        data = context.failure_event.event_specific_data
        error = getattr(data, "error", None)
        if error is not None:
            failures.append(step_failure("run", error))
    return failures


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    description="Appends failed runs to alerts.log and posts them to ALERT_WEBHOOK_URL.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def alert_on_run_failure(context: dg.RunFailureSensorContext, alerts: AlertsResource) -> None:
    run = context.dagster_run
    alert = build_alert(
        job_name=run.job_name,
        run_id=run.run_id,
        message=context.failure_event.message or "run failed",
        failures=_failures(context),
        # every secret of the process's environment, bound to a resource or not (the
        # object store's keys are pyiceberg's own variables): scrubbed from the alert
        secrets=secret_values(),
        partitions=partitions_of(run.tags),
    )
    delivery = alerts.deliver(alert)
    if delivery.webhook_error:
        context.log.warning(f"Alert webhook failed ({delivery.webhook_error}); logged only.")
