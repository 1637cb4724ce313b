"""Where a streaming asset spends its time, without changing how it streams.

Reading, parsing and writing are interleaved (each batch is written as soon as it is
parsed, so memory stays flat); the only way to split the time is to clock the consumer's
waits on the producer, which is what `timed` does.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Clock:
    seconds: float = 0.0


def timed(items: Iterable[T], clock: Clock) -> Iterator[T]:
    """Yield `items` unchanged, adding the time spent producing each one to `clock`."""
    iterator = iter(items)
    while True:
        started = time.perf_counter()
        try:
            item = next(iterator)
        except StopIteration:
            clock.seconds += time.perf_counter() - started
            return
        clock.seconds += time.perf_counter() - started
        yield item
