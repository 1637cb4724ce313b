"""What failed in a run, in the terms an operator acts on: the exception, the asset, the days.

Dagster reports a failed step as `DagsterExecutionStepExecutionError: Error occurred while
executing op "…"`, with the exception the asset raised as its cause. Alerts and the command
line show that cause (its type, its message and what it wrapped in turn), the assets the step
materializes and the run's partitions, so nobody has to open the run to learn what broke.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from claude_analytics.core.contracts import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG

# Dagster's wrappers around the user code's exception: never the cause of anything.
WRAPPERS = frozenset(
    {
        "DagsterExecutionStepExecutionError",
        "DagsterUserCodeExecutionError",
        "DagsterUserCodeProcessError",
        "DagsterResourceFunctionError",
        "DagsterExecutionLoadInputError",
        "DagsterExecutionHandleOutputError",
    }
)
PARTITION_TAG = "dagster/partition"


class ErrorInfo(Protocol):
    """The shape of Dagster's serialized errors (cause = `raise … from`, context = implicit)."""

    cls_name: str | None
    message: str
    cause: ErrorInfo | None
    context: ErrorInfo | None


@dataclass(frozen=True)
class StepFailure:
    step: str
    error_type: str
    message: str
    assets: list[str] = field(default_factory=list)
    # what the error wrapped, outermost first, as "Type: message"
    caused_by: list[str] = field(default_factory=list)


def error_chain(error: ErrorInfo) -> list[ErrorInfo]:
    """The error and its causes, outermost first, without Dagster's wrappers."""
    chain: list[ErrorInfo] = []
    current: ErrorInfo | None = error
    while current is not None and len(chain) < 10:
        if current.cls_name not in WRAPPERS or (current.cause or current.context) is None:
            chain.append(current)
        current = current.cause or current.context
    return chain


def message_of(error: ErrorInfo) -> str:
    """The error's message; Dagster's serialized text starts with the type, said once here."""
    message = error.message.strip()
    return message.removeprefix(f"{error.cls_name}: ") if error.cls_name else message


def describe(error: ErrorInfo) -> str:
    return f"{error.cls_name or 'Error'}: {message_of(error)}"


def step_failure(step: str, error: ErrorInfo | None, assets: Sequence[str] = ()) -> StepFailure:
    """A failed step as its root cause; a step without error info says only that it failed."""
    chain = error_chain(error) if error is not None else []
    if not chain:
        return StepFailure(step, "StepFailure", "the step failed", list(assets))
    first, *below = chain
    return StepFailure(
        step=step,
        error_type=first.cls_name or "Error",
        message=message_of(first),
        assets=list(assets),
        caused_by=[describe(e) for e in below],
    )


def partitions_of(tags: Mapping[str, str]) -> str | None:
    """The days a run owned, as Dagster's CLI writes a range: `A...B`, or one partition."""
    start = tags.get(PARTITION_RANGE_START_TAG)
    if start:
        end = tags.get(PARTITION_RANGE_END_TAG, start)
        return start if start == end else f"{start}...{end}"
    return tags.get(PARTITION_TAG)
