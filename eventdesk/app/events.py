"""Write services: submit one event, ingest files (the one ingest driver), retry stored events.

The ingest driver holds the one worker-pool rule (worker processes only for inputs of some
size), the progress callback (events so far, bytes read of all inputs) and Cancel (stops at
the next batch boundary; every batch before it stays committed).
"""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Optional

from eventdesk.app.composition import App
from eventdesk.app.queries import stored_raw
from eventdesk.core.faults import FaultPoint
from eventdesk.core.ingest import (
    BULK_BATCH_SIZE,
    DEFAULT_BATCH_SIZE,
    LARGE_STORE_BATCH_SIZE,
    LARGE_STORE_EVENTS,
    IngestSummary,
)
from eventdesk.core.intake import read_envelope
from eventdesk.core.model import NormalizedEvent, Prepared, RawEvent, SubmitResult
from eventdesk.core.parallel import default_workers
from eventdesk.core.processor import RetrySummary

#: Below this many bytes, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
STDIN = "-"

#: (summary so far, bytes read of all inputs together, bytes of all inputs; 0 when unknown)
IngestProgress = Callable[[IngestSummary, int, int], None]


# -- submit

def submit(app: App, received: str | bytes, fault: Optional[FaultPoint] = None) -> SubmitResult:
    return app.submit(received, fault)


def submit_prepared(app: App, prepared: Prepared, fault: Optional[FaultPoint] = None) -> SubmitResult:
    """``submit`` of an event already parsed (to check it first), without parsing it again."""
    return app.processor.submit_prepared(prepared, fault)


@dataclass
class SubmitOutcome:
    """A submission with the raw event before and after it and the normalized event it leads to."""

    result: SubmitResult
    normalized: Optional[NormalizedEvent]
    before: Optional[RawEvent]
    after: Optional[RawEvent]


def submit_and_read_back(app: App, text: str, fault: Optional[FaultPoint]) -> SubmitOutcome:
    """Submit, and read back the raw event before and after, and the normalized event it leads
    to (committed ones too when the reply was lost on purpose)."""
    app.follow_store_mappings()  # the desktop app: another process may have made new mappings current
    before = stored_raw(app, read_envelope(text).content_hash)
    result = app.submit(text, fault)
    after = stored_raw(app, result.content_hash) if result.content_hash else None
    normalized_id = result.normalized_id
    if normalized_id is None and fault is FaultPoint.AFTER_COMMIT and after is not None:
        normalized_id = after.normalized_id if after.normalized_id is not None else after.duplicate_of
    normalized = app.store.get_normalized(normalized_id) if normalized_id is not None else None
    return SubmitOutcome(result, normalized, before, after)


def rejection_of(text: str | bytes) -> Optional[str]:
    """Why this input would be stored as ``rejected`` (design 3), in intake's words; None if it
    would not. Pure: for checking an editor's text before it is sent."""
    return read_envelope(text).rejection


# -- ingest

def pool_size(total_bytes: Optional[int], workers: Optional[int] = None, smallest: int = 2) -> int:
    """The one worker-pool rule: how many parser processes an input of this size gets (0: none).

    ``total_bytes`` None means unknown (standard input): it may be large, so the pool is used.
    ``smallest``: the fewest workers worth a pool; the desktop app takes one, so that its import
    process writes while a worker parses.
    """
    wanted = default_workers() if workers is None else workers
    if wanted >= smallest and (total_bytes is None or total_bytes >= PARALLEL_MIN_BYTES):
        return wanted
    return 0


def workers_beside_a_window() -> int:
    """Parser processes for an import started from the desktop app: one core stays for the window
    (pass ``smallest_pool=1`` to ``ingest_files`` with it)."""
    return max(1, (os.cpu_count() or 2) - 1)


def ingest_files(app: App, paths: Sequence[str], workers: Optional[int] = None,
                 batch_size: Optional[int] = None, fmt: str = "auto",
                 progress: Optional[IngestProgress] = None,
                 cancel: Optional[threading.Event] = None, smallest_pool: int = 2) -> IngestSummary:
    """Import JSON-lines or JSON-array files (``-``: standard input) into one summary.

    Every input is opened before the first is read, so a typo fails before anything is stored.
    """
    app.follow_store_mappings()  # an App kept open (the desktop app) imports with the current ones
    opened = _open_all(paths)
    sizes = [size for _, _, size in opened]
    total = sum(s for s in sizes if s is not None)
    known = None if any(s is None for s in sizes) else total
    summary = IngestSummary()
    size_of_pool = pool_size(known, workers, smallest_pool)
    preparer = app.parallel_preparer(size_of_pool) if size_of_pool else None
    done_before = 0
    try:
        for _name, stream, size in opened:
            if cancel is not None and cancel.is_set():
                summary.cancelled = True
                break
            report = None
            if progress is not None:
                def report(so_far: IngestSummary, read: int, base: int = done_before) -> None:
                    progress(so_far, base + read, total)
            app.ingest(stream, summary, batch_size or _default_batch(app), fmt, report, cancel, preparer)
            done_before += size or 0
            if summary.cancelled:
                break
    finally:
        if preparer is not None:
            preparer.close()
        for name, stream, _ in opened:
            if name != STDIN:
                stream.close()
    return summary


def _default_batch(app: App) -> int:
    """Larger batches where a store writes staged chunks as they come (SQLite), larger still
    into a store that is already large (``core.ingest.LARGE_STORE_BATCH_SIZE``)."""
    if not getattr(app.store, "bulk_rows", False):
        return DEFAULT_BATCH_SIZE
    large = app.store.stats().raw_total >= LARGE_STORE_EVENTS
    return LARGE_STORE_BATCH_SIZE if large else BULK_BATCH_SIZE


def _open_all(paths: Sequence[str]) -> list[tuple[str, BinaryIO, Optional[int]]]:
    opened: list[tuple[str, BinaryIO, Optional[int]]] = []
    try:
        for path in paths:
            if path == STDIN:
                opened.append((STDIN, sys.stdin.buffer, None))
            else:
                stream: BinaryIO = open(path, "rb")
                opened.append((path, stream, os.fstat(stream.fileno()).st_size))
    except OSError:
        for name, stream, _ in opened:
            if name != STDIN:
                stream.close()
        raise
    return opened


# -- retry

def retry(app: App, statuses: Iterable[str] = ("failed",)) -> RetrySummary:
    """Reprocess stored raw events in these statuses with the store's current mappings."""
    app.follow_store_mappings()
    return app.processor.retry(tuple(statuses))


def retry_texts(app: App, texts: Sequence[str | bytes]) -> dict[str, int]:
    """Reprocess these stored raw events (no new receipt); count what came of them by status."""
    processor = app.processor
    results = processor.apply([processor.prepare(t) for t in texts], resend=False)
    counts: dict[str, int] = {}
    for result in results:
        key = result.status or result.outcome.value
        counts[key] = counts.get(key, 0) + 1
    return counts
