"""`claude-analytics run` (what `make run` does) and the progress display of every CLI run.

A run shows one line per stage (extract, warehouse, dbt, serving) with its figures and time,
then a summary that fits on a screen: rows per layer, checks, and where the results, the
dashboard and the full log are. Dagster's and dbt's own output goes to the log file;
`--verbose` streams it to the terminal instead, as the command did before.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import dagster as dg
import typer
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from claude_analytics.commands.instance import get_instance
from claude_analytics.commands.report import print_serving_locations
from claude_analytics.commands.run_output import output_into, run_log_path
from claude_analytics.commands.run_progress import DBT_STEP, RunProgress, Stage, describe_stage
from claude_analytics.commands.runner import LayerCount, layer_counts, run_job_in_process
from claude_analytics.core.config import Settings, load_settings
from claude_analytics.defs.recovery import stale_runs

console = Console()
LAYERS = ("lake", "raw", "staging", "intermediate", "marts")
# error messages (a dbt failure lists every failing node) are cut to a few lines on screen
ERROR_LINES = 6
LABEL_WIDTH = 18
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Stream Dagster's and dbt's logs instead of the progress display."
    ),
]


@dataclass(frozen=True)
class RunOutcome:
    result: dg.ExecuteInProcessResult
    progress: RunProgress
    log_path: Path | None
    seconds: float


def _dbt_totals(definitions: dg.Definitions) -> tuple[int, int]:
    """How many dbt models (and seeds) and tests a whole build has."""
    for assets_def in set(definitions.get_repository_def().assets_defs_by_key.values()):
        if assets_def.is_executable and assets_def.node_def.name == DBT_STEP:
            return len(assets_def.keys), len(assets_def.check_keys)
    return 0, 0


def _stage_row(stage: Stage, progress: RunProgress, now: float) -> list[RenderableType]:
    icon: RenderableType = {
        "running": Spinner("dots", style="cyan"),
        "done": Text("✓", style="green"),
        "failed": Text("✗", style="red"),
    }[stage.status]
    detail: RenderableType = Text(describe_stage(stage, progress))
    if stage.step == DBT_STEP and stage.status == "running":
        total = progress.dbt_models + progress.dbt_tests
        done = stage.facts.get("models", 0) + stage.facts.get("tests", 0)
        bar = ProgressBar(total=max(total, 1), completed=done, width=20)
        detail = Table.grid(padding=(0, 1))
        detail.add_row(bar, describe_stage(stage, progress))
    return [icon, Text(stage.label, style="bold"), detail, Text(f"{stage.seconds(now):5.1f}s")]


def render(progress: RunProgress, title: str, started: float) -> RenderableType:
    """The live display: a header with the elapsed time, then one row per stage."""
    now = time.time()
    table = Table.grid(padding=(0, 1))
    table.add_column(width=1)
    table.add_column(no_wrap=True, max_width=LABEL_WIDTH)
    table.add_column()
    table.add_column(justify="right", no_wrap=True)
    for stage in progress.stages.values():
        table.add_row(*_stage_row(stage, progress, now))
    if not progress.stages:
        table.add_row(Spinner("dots", style="cyan"), Text("starting", style="bold"), "", "")
    header = Text.from_markup(f"{title}  ({now - started:.0f}s)")
    return Group(header, table)


def execute(
    definitions: dg.Definitions,
    settings: Settings,
    name: str,
    window: tuple[date, date] | None,
    run_config: dict | None = None,
    verbose: bool = False,
) -> RunOutcome:
    """Run a job in this process; quiet (progress display, logs to a file) unless verbose."""
    started = time.time()
    days = (window[1] - window[0]).days + 1 if window else 0
    models, tests = _dbt_totals(definitions)
    progress = RunProgress(days=days, dbt_models=models, dbt_tests=tests)
    instance = get_instance(settings)
    # before the output goes to the log: a recovered dead run is news for the screen
    stale_runs.recover_stale_runs(instance, console.print)
    run_id = str(uuid.uuid4())
    instance.add_event_listener(run_id, progress.handle)
    span = f" over {window[0]} … {window[1]} ({days} days)" if window else ""
    title = f"Running [bold]{name}[/]{span} in one run"

    def run() -> dg.ExecuteInProcessResult:
        return run_job_in_process(
            definitions, settings, name, window, run_config, instance=instance, run_id=run_id
        )

    if verbose:
        console.print(title)
        result = run()
        return RunOutcome(result, progress, None, time.time() - started)
    log_path = run_log_path(settings, name)
    with output_into(log_path) as screen:
        display = Console(file=screen)
        with Live(
            console=display,
            get_renderable=lambda: render(progress, title, started),
            refresh_per_second=4,
            redirect_stdout=False,
            redirect_stderr=False,
        ):
            result = run()
        if not display.is_terminal:
            display.line()  # Live ends its last render with a newline on terminals only
    return RunOutcome(result, progress, log_path, time.time() - started)


def _layer_table(counts: list[LayerCount]) -> Table:
    """Tables and rows per layer; `claude-analytics status` lists every table."""
    by_layer: dict[str, tuple[int, int]] = {}
    for count in counts:
        layer = "lake" if count.layer.startswith("lake") else count.relation.split(".")[0]
        tables, rows = by_layer.get(layer, (0, 0))
        by_layer[layer] = (tables + 1, rows + count.rows)
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("rows per layer")
    table.add_column("tables", justify="right")
    table.add_column("rows", justify="right")
    for layer in sorted(by_layer, key=lambda n: LAYERS.index(n) if n in LAYERS else len(LAYERS)):
        tables, rows = by_layer[layer]
        table.add_row("warehouse raw" if layer == "raw" else layer, f"{tables}", f"{rows:,}")
    return table


def print_locations(settings: Settings, log_path: Path | None) -> None:
    """Where the results are; paths are printed whole (never wrapped) so they can be copied."""
    console.print(f"DuckDB warehouse: [bold]{settings.duckdb_path}[/]", soft_wrap=True)
    console.print(f"Iceberg lake:     [bold]{settings.lake_dir}[/]", soft_wrap=True)
    console.print(
        f"Dagster home:     [bold]{settings.dagster_home}[/] (make dev opens the UI)",
        soft_wrap=True,
    )
    print_serving_locations(settings, console)
    if log_path is not None:
        console.print(f"Log:              [bold]{log_path}[/] (Dagster and dbt)", soft_wrap=True)


def print_failures(outcome: RunOutcome) -> None:
    """The failed steps' root causes, cut to a few lines; the log and the UI hold the rest."""
    for failure in outcome.progress.failures:
        lines = failure.message.splitlines() or [""]
        more = " …" if len(lines) > ERROR_LINES else ""
        text = "\n    ".join(lines[:ERROR_LINES])
        console.print(f"[red]✗ {failure.step}[/]: {failure.error_type}: {text}{more}", markup=True)
        for cause in failure.caused_by[:3]:
            console.print(f"    caused by {cause.splitlines()[0] if cause else ''}")


def print_checks(outcome: RunOutcome) -> None:
    checks = outcome.progress.checks
    if checks.failed:
        failed = ", ".join(checks.failed[:5]) + (" …" if len(checks.failed) > 5 else "")
        count = f"[yellow]{len(checks.failed)} failed[/]"
        console.print(f"Checks: {checks.passed} passed, {count}: {failed}", soft_wrap=True)
    else:
        console.print(f"Checks: {checks.passed} passed")


def print_outcome(outcome: RunOutcome, name: str) -> None:
    """The last line: it worked, or why not (the root cause) and where to look."""
    result = outcome.result
    if result.success:
        console.print(
            f"[green]{name} succeeded[/] in {outcome.seconds:.0f}s (run {result.run_id[:8]})"
        )
        return
    print_failures(outcome)
    where = f"the log {outcome.log_path}" if outcome.log_path else "the events above"
    console.print(
        f"[red]{name} failed[/] (run {result.run_id}): see {where}, or the run in the UI "
        "(make dev)",
        soft_wrap=True,
    )


def run_command(verbose: VerboseOption = False) -> None:
    """Materialise every asset on the configured source, then print where the results are."""
    from claude_analytics.commands.runner import source_date_range
    from claude_analytics.definitions import defs

    settings = load_settings()
    definitions = defs()
    with definitions.resources["source"].process_config_and_initialize_cm() as resource:
        console.print(f"Source: [bold]{settings.source_kind}[/] ({resource.open().describe()})")
        window = source_date_range(resource)
    if window is None:
        console.print("[yellow]The source holds no entries: nothing to run.[/]")
        raise typer.Exit(0)
    outcome = execute(definitions, settings, "full_pipeline", window, verbose=verbose)
    print_checks(outcome)
    if outcome.result.success:
        console.print(_layer_table(layer_counts(settings)))
        print_locations(settings, outcome.log_path)
    print_outcome(outcome, "full_pipeline")
    if not outcome.result.success:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
