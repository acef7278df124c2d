"""Streaming ingest of JSON-lines and JSON-array input, in batches.

Memory stays flat in the size of the input: inputs are read one at a time (``input_reader``)
and processed in batches of ``batch_size``; each batch is one unit of work. Every non-blank
line, array element and unreadable piece is recorded, whatever it holds.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Generator, Iterable, Iterator, Optional, Union

from eventdesk.core.input_reader import Item, read_events, read_inputs
from eventdesk.core.model import BatchOutcome, Outcome, SubmitResult
from eventdesk.core.rows import Batch, PendingRows, Row, StreamedBatch, discard

#: Inputs per unit of work on the general write path (every store). Memory stays bounded by it,
#: not by the input's size.
DEFAULT_BATCH_SIZE = 30_000
#: Inputs per unit of work for a store that writes staged chunks as they become ready
#: (SQLite: ``core.rows.StreamedBatch``). A larger batch costs no waiting there, and each commit
#: rewrites the pages of four random-key indexes that its rows touch, and upserts the day totals
#: of most (client, metric, day) groups: fewer, larger commits do each of those fewer times.
#: Measured on 200k lines (2 cores): 100,000 ran 3.92 s median against 4.31 for 30,000; into a
#: store of 1M events 100,000 cut the WAL written per event to a third.
BULK_BATCH_SIZE = 100_000
#: ... and into a store that already holds ``LARGE_STORE_EVENTS``: there each commit rewrites
#: most pages of those indexes whatever the batch (100,000 random keys touch nearly every leaf
#: of an index of 1M), so a commit's cost no longer grows with the batch and fewer commits pay.
#: Measured: 200,000 lines into copies of a store of 1,037,542 events, alternating with 100,000:
#: faster in 9 of 10 pairs (medians 4.92 against 5.13 s quiet, 5.06 against 5.57 s busier); peak
#: memory 390 MiB against 352.
LARGE_STORE_BATCH_SIZE = 200_000
LARGE_STORE_EVENTS = 500_000
#: Inputs per piece of work for a parser process; a batch is made of whole chunks.
CHUNK_SIZE = 5000


@dataclass
class IngestSummary:
    lines: int = 0
    accepted: int = 0
    duplicate: int = 0
    semantic_duplicate: int = 0
    rejected: int = 0
    failed: int = 0
    seconds: float = 0.0
    cancelled: bool = False
    stopped: bool = False      # the store failed so that not even failures could be recorded
    errors: list[str] = field(default_factory=list)   # first store error of each failing batch

    def count(self, results: Iterable[SubmitResult]) -> None:
        for result in results:
            self.lines += 1
            name = result.outcome.value
            setattr(self, name, getattr(self, name) + 1)

    def add(self, outcome: BatchOutcome) -> None:
        for name, n in outcome.counts.items():
            self.lines += n
            setattr(self, name, getattr(self, name) + n)

    def to_json(self) -> dict[str, object]:
        return {"lines": self.lines, "accepted": self.accepted, "duplicate": self.duplicate,
                "semantic_duplicate": self.semantic_duplicate, "rejected": self.rejected,
                "failed": self.failed, "seconds": round(self.seconds, 3)}


def batches(events: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for event in events:
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


Chunk = Union[list[Row], PendingRows]


def joined(chunks: Iterable[Chunk], size: int) -> Generator[Batch, None, None]:
    """The chunks in batches of ``size`` inputs (the last may hold fewer): rows are cut exactly;
    staged chunks still being made are kept whole (a ``StreamedBatch``), so their size should
    divide ``size``. Staged chunks never yielded (the consumer stopped early) are discarded."""
    rows: list[Row] = []
    staged: list[PendingRows] = []
    try:
        for chunk in chunks:
            if isinstance(chunk, list):
                rows.extend(chunk)
                while len(rows) >= size:
                    head, rows = rows[:size], rows[size:]
                    yield head
                continue
            staged.append(chunk)
            if sum(c.count for c in staged) >= size:
                batch, staged = StreamedBatch(staged), []
                yield batch
        if rows:
            yield rows
        if staged:
            batch, staged = StreamedBatch(staged), []
            yield batch
    finally:
        StreamedBatch(staged).discard()


def chunk_size(batch_size: int, most: int = 0) -> int:
    """Inputs per chunk: about CHUNK_SIZE; with ``most`` (the chunks a store takes in one unit of
    work, staged), larger chunks, so that a batch is at most that many of them."""
    count = -(-batch_size // CHUNK_SIZE)
    if most:
        count = min(count, most)
    return -(-batch_size // count)


ProgressCallback = Callable[[IngestSummary, int], None]  # summary so far, bytes read
PrepareBatches = Callable[[Iterable[list[Item]]], Iterator[Chunk]]
ApplyBatch = Callable[[Batch], BatchOutcome]


def ingest_stream(stream: BinaryIO, prepare: PrepareBatches, apply: ApplyBatch,
                  summary: Optional[IngestSummary] = None, batch_size: int = DEFAULT_BATCH_SIZE,
                  fmt: str = "auto", progress: Optional[ProgressCallback] = None,
                  cancel: Optional[threading.Event] = None, chunk: Optional[int] = None) -> IngestSummary:
    """Read, prepare and apply a stream batch by batch; cancel stops at a batch boundary,
    with every batch before it committed and nothing of the batches after it."""
    summary = summary or IngestSummary()
    started = time.perf_counter() - summary.seconds
    prepared_chunks = prepare(batches(read_inputs(stream, fmt), chunk or chunk_size(batch_size)))
    in_batches = joined(prepared_chunks, batch_size)
    try:
        for prepared in in_batches:
            if cancel is not None and cancel.is_set():
                summary.cancelled = True
                discard(prepared)
                break
            try:
                outcome = apply(prepared)
            finally:
                discard(prepared)
            summary.add(outcome)
            summary.seconds = time.perf_counter() - started
            if progress is not None:
                progress(summary, _position(stream))
            if outcome.unrecorded:
                summary.errors.append(outcome.error or "the store failed")
                if outcome.unrecorded == outcome.total:  # not even the failure could be stored: stop
                    summary.stopped = True
                    break
    finally:
        in_batches.close()  # discards staged chunks not applied
        close = getattr(prepared_chunks, "close", None)
        if close is not None:
            close()
    summary.seconds = time.perf_counter() - started
    return summary


def _position(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


__all__ = ["IngestSummary", "read_events", "read_inputs", "ingest_stream", "batches", "Outcome"]
