"""The one conflict-retry loop: run a unit of work again when a concurrent writer won a race.

Safe only for work that rolled back on the conflict and derives everything anew from the
store (the processor, ``MongoStore.run_in_transaction``); any other error ends it at once.
"""
from __future__ import annotations

import random
import time
from typing import Callable, TypeVar

from eventdesk.core.errors import StoreConflict

T = TypeVar("T")
MAX_TRIES = 5


def backoff(attempt: int, sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait a little longer after each failed try: about 10, 20, 40, 80 ms, with jitter."""
    sleep(min(0.5, 0.01 * 2 ** attempt) * (0.5 + random.random()))


def run_again_on_conflict(work: Callable[[], T], tries: int = MAX_TRIES,
                          conflict: type[StoreConflict] = StoreConflict,
                          sleep: Callable[[float], None] = time.sleep) -> T:
    """``work()``, run up to ``tries`` times while it raises ``conflict``; the last one propagates."""
    for attempt in range(tries):
        try:
            return work()
        except conflict:
            if attempt + 1 == tries:
                raise
            backoff(attempt, sleep)
    raise AssertionError("unreachable")
