"""The daemon's side of stale-run recovery: a run whose process died gives its slots back."""

import dagster as dg

from claude_analytics.defs.recovery.stale_runs import recover_stale_runs


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Marks failed the runs whose process died (killed, out of memory, power loss) and "
        "frees the pool slots they hold, which every later run would wait for."
    ),
)
def stale_run_recovery(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    # Sensors are evaluated in the code server, the host where the default launcher runs
    # every launched run: its runs can be judged here too.
    recovered = recover_stale_runs(context.instance, context.log.warning, include_launched=True)
    if recovered:
        return dg.SkipReason(f"Recovered {len(recovered)} run(s) whose process died.")
    return dg.SkipReason("No run whose process died holds a slot.")
