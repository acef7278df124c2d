"""Group commit: concurrent single submissions share one durable transaction.

Each submitter still returns only after the commit that holds its event is on disk. The first
submitter to arrive leads: it writes everything queued so far as one batch, hands each waiting
submitter its own result, and passes the lead on if more arrived meanwhile. With one submitter
at a time nothing waits, so single-submission latency is unchanged. ``CommitQueue`` is the same
for callers that cannot block (the HTTP server's event loop).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Optional, Sequence

from eventdesk.core.model import Outcome, Prepared, SubmitResult

ApplyBatch = Callable[[Sequence[Prepared]], list[SubmitResult]]
GATHER_S = 0.001  # the longest a leader waits for stragglers
log = logging.getLogger("eventdesk")


class _Slot:
    __slots__ = ("prepared", "result", "done", "lead")

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.result: Optional[SubmitResult] = None
        self.done = threading.Event()
        self.lead = False


class GroupCommit:
    """Batches concurrent ``submit`` calls into shared transactions of at most ``max_batch``."""

    def __init__(self, apply: ApplyBatch, max_batch: int = 512) -> None:
        self._apply = apply
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Slot] = []
        self._leading = False
        self._arrived = threading.Condition(self._lock)
        self._concurrency = 1  # how many submitters came together lately

    def submit(self, prepared: Prepared) -> SubmitResult:
        slot = _Slot(prepared)
        with self._lock:
            self._queue.append(slot)
            self._arrived.notify()
            if not self._leading:
                self._leading = slot.lead = True
        if not slot.lead:
            slot.done.wait()
        if slot.lead:  # we lead: from the start, or handed over by the previous leader
            self._lead(slot)
        assert slot.result is not None
        return slot.result

    def _lead(self, own: _Slot) -> None:
        try:
            while own.result is None:
                self._gather()
                with self._lock:
                    batch = self._queue[:self._max_batch]
                    del self._queue[:len(batch)]
                self._concurrency = max(len(batch), self._concurrency - 1)
                self._write(batch)
        finally:
            with self._lock:
                if self._queue:  # hand the lead to the oldest waiter
                    successor = self._queue[0]
                    successor.lead = True
                    successor.done.set()
                else:
                    self._leading = False

    def _gather(self) -> None:
        """When submitters have recently come in numbers, wait a moment for the stragglers, so
        that a commit carries all of them instead of every other half (bounded by GATHER_S)."""
        deadline = time.monotonic() + GATHER_S
        with self._arrived:
            while len(self._queue) < self._concurrency and time.monotonic() < deadline:
                self._arrived.wait(GATHER_S / 4)

    def _write(self, batch: list[_Slot]) -> None:
        try:
            results = self._apply([slot.prepared for slot in batch])
        except BaseException as exc:  # never leave a waiter hanging
            results = [SubmitResult(Outcome.FAILED, error=f"internal error: {exc}",
                                    content_hash=slot.prepared.envelope.content_hash) for slot in batch]
            for slot, result in zip(batch, results):
                slot.result = result
                slot.done.set()
            raise
        for slot, result in zip(batch, results):
            slot.result = result
            if not slot.lead:
                slot.done.set()


Deliver = Callable[[list[tuple[object, SubmitResult]]], None]


class CommitQueue:
    """Group commit for callers that must not block, such as an event loop: ``put`` returns at
    once, and one writer thread commits whatever was queued meanwhile as one durable batch, then
    hands the whole batch's ``(ticket, result)`` pairs to ``deliver`` in one call (so an event
    loop is woken once per commit, not once per event). Results exist only after the commit."""

    def __init__(self, apply: ApplyBatch, deliver: Deliver, max_batch: int = 512) -> None:
        self._apply = apply
        self._deliver = deliver
        self._max_batch = max_batch
        self._queue: list[tuple[object, Prepared]] = []
        self._arrived = threading.Condition(threading.Lock())
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="eventdesk-commit", daemon=True)
        self._thread.start()

    def put(self, ticket: object, prepared: Prepared) -> None:
        with self._arrived:
            if self._closing:
                raise RuntimeError("the commit queue is closed")
            self._queue.append((ticket, prepared))
            self._arrived.notify()

    def close(self, timeout: float = 30.0) -> None:
        """Commit what is queued, then stop the writer."""
        with self._arrived:
            self._closing = True
            self._arrived.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._arrived:
                while not self._queue and not self._closing:
                    self._arrived.wait()
                if not self._queue:
                    return
                batch = self._queue[:self._max_batch]
                del self._queue[:len(batch)]
            pairs = list(zip((t for t, _ in batch), self._write([p for _, p in batch])))
            try:
                self._deliver(pairs)
            except Exception:  # the receiver is gone (a loop closed): keep serving the others
                log.exception("could not hand over the results of a commit")

    def _write(self, batch: list[Prepared]) -> list[SubmitResult]:
        try:
            return self._apply(batch)
        except Exception as exc:  # a defect: no waiter may hang; the event is not acknowledged
            log.exception("group commit failed")
            return [SubmitResult(Outcome.FAILED, error=f"internal error: {exc}",
                                 content_hash=p.envelope.content_hash) for p in batch]
