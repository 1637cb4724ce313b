"""The benchmark's tables on the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def print_report(figures: dict[str, Any]) -> None:
    console = Console(width=max(Console().width, 150))
    machine = figures["machine"]
    stages = Table(
        title=(
            f"{figures['entries']:,} entries · {machine['cpus']} CPUs · "
            f"{machine['memory_gib']} GiB · load {machine['load_average_before'][0]:.1f}"
        )
    )
    for column in ("stage", "seconds", "entries/s", "peak RSS MiB", "CPU s", "note"):
        stages.add_column(column, justify="left" if column in ("stage", "note") else "right")
    for row in figures["stages"]:
        rss = row["peak_rss_bytes"]
        stages.add_row(
            row["stage"],
            _number(row["seconds"]),
            _number(row["entries_per_second"], 0),
            _number(rss / 2**20 if rss else None, 0),
            _number(row["cpu_seconds"]),
            row["note"],
        )
    console.print(stages)
    steps = Table(title="Peak RSS by step (the run's process tree, sampled)")
    for column in ("run", "step", "seconds", "peak RSS MiB"):
        steps.add_column(column, justify="left" if column in ("run", "step") else "right")
    for row in figures.get("step_rss", []):
        rss = row["tree_peak_rss_bytes"]
        steps.add_row(
            row["run"],
            row["step"],
            _number(row["seconds"]),
            _number(rss / 2**20 if rss else None, 0),
        )
    console.print(steps)
    checks = Table(title="Targets")
    for column in ("target", "measured", "limit", "result", "how the limit is made"):
        checks.add_column(column)
    for target in figures["targets"]:
        passed = target["passed"]
        verdict = "—" if passed is None else ("[green]met[/]" if passed else "[red]missed[/]")
        checks.add_row(
            target["target"],
            _number(target["measured"]),
            _number(target["limit"]),
            verdict,
            target["detail"],
        )
    console.print(checks)


def markdown_tables(figures: dict[str, Any]) -> str:
    """The same two tables in Markdown, for BENCHMARKS.md."""
    lines = [
        "| stage | seconds | entries/s | peak RSS MiB | CPU s (process) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in figures["stages"]:
        rss = row["peak_rss_bytes"]
        seconds = _number(row["seconds"]) if row["seconds"] is not None else row["note"]
        lines.append(
            f"| {row['stage']} | {seconds} | {_number(row['entries_per_second'], 0)} | "
            f"{_number(rss / 2**20 if rss else None, 0)} | {_number(row['cpu_seconds'])} |"
        )
    lines += ["", "| run | step | seconds | peak RSS MiB (process tree) |", "|---|---|---:|---:|"]
    for row in figures.get("step_rss", []):
        rss = row["tree_peak_rss_bytes"]
        lines.append(
            f"| {row['run']} | {row['step']} | {_number(row['seconds'])} | "
            f"{_number(rss / 2**20 if rss else None, 0)} |"
        )
    lines += [
        "",
        "| target | measured | limit | result | limit made of |",
        "|---|---:|---:|---|---|",
    ]
    for target in figures["targets"]:
        passed = target["passed"]
        verdict = "—" if passed is None else ("met" if passed else "**missed**")
        lines.append(
            f"| {target['target']} | {_number(target['measured'])} | "
            f"{_number(target['limit'])} | {verdict} | {target['detail']} |"
        )
    return "\n".join(lines) + "\n"
