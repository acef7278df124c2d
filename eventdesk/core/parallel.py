"""Parsing, hashing and normalising in worker processes, so that the writer never waits for them.

Batches go to a process pool in order and come back in order, a bounded number in flight, so
memory stays flat and "first occurrence wins" means the same as without workers. Workers are
forked from a parent with no other thread (the command line) and spawned from one with threads
(a Qt application: ``parent_watch.quiet_context``); they run a little below the writer's
priority, end with their parent however it ends, and leave Ctrl-C to it (``parent_watch``).
"""
from __future__ import annotations

import os
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Callable, Iterable, Iterator, Optional, Sequence, TypeVar, Union, cast

from eventdesk.core.compiled import FastPreparer
from eventdesk.core.errors import WorkerLost
from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.input_reader import Item, Piece, envelope_of
from eventdesk.core.mappings import Mappings
from eventdesk.core.model import Envelope, Prepared
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.parent_watch import become_child_of, interrupts_deferred, lifeline, quiet_context
from eventdesk.core.rows import Row, StagedRows
from eventdesk.core.stored import stored_form

T = TypeVar("T")
_preparer: Optional[FastPreparer] = None
_stage: Optional[Callable[[list[Row]], StagedRows]] = None
#: Chunks in flight (staged: with those of the batch being written): enough that the workers
#: go on while the writer writes and commits.
AHEAD = 12
#: Texts per piece of work when the workers hash for re-normalization.
CHUNK_OF_HASHES = 5000
#: How long closing waits for workers to finish what they are on before it terminates them.
CLOSE_SECONDS = 30.0
#: How much lower workers run than the writer (``os.nice``).
WORKER_NICENESS = 3


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _init_worker(mappings_json: str, parent_pid: int, line: Connection,
                 stage: Optional[Callable[[list[Row]], StagedRows]]) -> None:
    global _preparer, _stage
    become_child_of(parent_pid, line)
    _yield_to_the_writer()
    _preparer = FastPreparer(Mappings.from_json(mappings_json))
    _stage = stage


def _yield_to_the_writer() -> None:
    """Workers run a little below their parent: with more processes than cores, the single
    writer (the bottleneck) then gets a core whenever it has work, and workers fill the rest."""
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):
        pass  # no nice on this system: the same work, less evenly shared


def prepare_batch(normalizer: Normalizer, batch: Sequence[Item]) -> list[Prepared]:
    """Prepare a batch for the writer: stored forms computed, parsed payloads dropped."""
    prepared = []
    for item in batch:
        one = normalizer.prepare(envelope_of(item) if isinstance(item, Piece) else read_envelope_fast(item))
        envelope = one.envelope
        if one.canonical is not None:
            envelope = Envelope(envelope.text, envelope.content_hash, envelope.source, None,
                                envelope.rejection, envelope.simulate_failure)
            one = Prepared(envelope, one.canonical, one.normalized_hash, stored_form(one.canonical),
                           one.mapping_version)
        prepared.append(one)
    return prepared


class PendingChunk:
    """A chunk a worker is staging (``core.rows.PendingRows``)."""

    def __init__(self, future: "Future[Union[list[Row], StagedRows]]", count: int) -> None:
        self._future, self.count = future, count

    def get(self) -> StagedRows:
        return cast(StagedRows, _result(self._future))

    def discard(self) -> None:
        if not self._future.cancel():  # running or done: its file goes as soon as it exists
            self._future.add_done_callback(_discard_result)


def _result(future: "Future[T]") -> T:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise _lost("parsing the input", "every batch committed before it is kept: run the same ingest"
                    " again to finish it") from exc


def _lost(doing: str, kept: str) -> WorkerLost:
    return WorkerLost(f"a worker process {doing} ended before its work was done (was it killed, or out"
                      f" of memory?); {kept}")


def _discard_result(future: "Future[Union[list[Row], StagedRows]]") -> None:
    if not future.cancelled() and future.exception() is None:
        result = future.result()
        if not isinstance(result, list):
            result.discard()


def _rows_in_worker(batch: list[Item], staged: bool) -> Union[list[Row], StagedRows]:
    assert _preparer is not None, "worker not initialised"
    rows = _preparer.rows(batch)
    return _stage(rows) if staged and _stage is not None else rows


def _plain_hashes_in_worker(texts: list[bytes]) -> list[Optional[bytes]]:
    assert _preparer is not None, "worker not initialised"
    return _preparer.plain_hashes(texts)


class ParallelPreparer:
    """A pool of worker processes preparing batches; use as a context manager."""

    def __init__(self, mappings: Mappings, workers: int,
                 stage: Optional[Callable[[list[Row]], StagedRows]] = None, staged_per_batch: int = 0,
                 staged_left: Optional[Callable[[], object]] = None, mapping_version: Optional[int] = None) -> None:
        """``stage``: a top-level function of the store's that a worker hands its rows to
        (``store/sqlite/chunks.py``), so that the writer need not bind them; None: rows.
        ``staged_per_batch``: the most staged chunks the store takes in one unit of work.
        ``staged_left``: removes what workers staged that never reached this process (a worker
        killed after writing its chunk), called once the pool is down."""
        self._staged_left = staged_left
        self.mapping_version = mapping_version  # of ``mappings``, for the writer to stamp on its rows
        self.workers = workers
        self.stages = stage is not None
        self.staged_per_batch = staged_per_batch if stage is not None else 0
        self._unclaimed: list[Future[Union[list[Row], StagedRows]]] = []
        self._child_end, self._parent_end = lifeline()
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=quiet_context(),
                                         initializer=_init_worker,
                                         initargs=(mappings.to_json(), os.getpid(), self._child_end, stage))

    def __enter__(self) -> "ParallelPreparer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Let the workers finish what they are on (nothing new starts), then end them; a worker
        still there after ``CLOSE_SECONDS`` is terminated. (A worker killed at the moment of a
        shutdown can leave the others waiting for good on a lock it held.)"""
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + CLOSE_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(1)
        self._child_end.close()
        self._parent_end.close()
        for future in self._unclaimed:  # staged chunks nobody will apply: their files go
            if future.done():
                _discard_result(future)
        self._unclaimed.clear()
        if self._staged_left is not None:
            self._staged_left()

    def prepare(self, batches: Iterable[list[Item]], staged: bool = False,
                per_batch: int = 1) -> Iterator[Union[list[Row], PendingChunk]]:
        """Rows of each batch (``core.rows``: plain tuples cross processes cheaply), in order;
        ``staged``: as the store's staged chunks, where this pool was given a way to stage,
        handed on at once as ``PendingChunk`` (the writer waits for each when it needs it);
        ``per_batch``: the chunks the writer takes together, which stay in flight besides."""
        in_flight: deque[Future[Union[list[Row], StagedRows]]] = deque()
        counts: deque[int] = deque()
        staged = staged and self.stages
        limit = max(2 * self.workers, AHEAD - per_batch if staged else AHEAD)
        try:
            for batch in batches:
                with interrupts_deferred():  # a worker it starts must be registered to be joined
                    in_flight.append(self._pool.submit(_rows_in_worker, batch, staged))
                counts.append(len(batch))
                if len(in_flight) >= limit:
                    yield self._next(in_flight, counts, staged)
            while in_flight:
                yield self._next(in_flight, counts, staged)
        finally:
            for future in in_flight:
                future.cancel()
            self._unclaimed.extend(in_flight)

    def plain_hashes(self, texts: Sequence[bytes]) -> list[Optional[bytes]]:
        """``FastPreparer.plain_hashes`` of the texts, in order, computed by the workers in parts
        (the caller waits: each part is a few milliseconds of work)."""
        part = max(1, min(CHUNK_OF_HASHES, -(-len(texts) // self.workers)))
        futures: list[Future[list[Optional[bytes]]]] = []
        try:
            for start in range(0, len(texts), part):
                futures.append(self._pool.submit(_plain_hashes_in_worker, list(texts[start:start + part])))
            return [digest for future in futures for digest in future.result()]
        except BrokenProcessPool as exc:
            raise _lost("reading events again", "every chunk committed before it is kept: run renormalize"
                        " again to continue where it stopped") from exc
        finally:
            for future in futures:
                future.cancel()

    @staticmethod
    def _next(in_flight: "deque[Future[Union[list[Row], StagedRows]]]", counts: deque[int],
              staged: bool) -> Union[list[Row], PendingChunk]:
        future, count = in_flight.popleft(), counts.popleft()
        return PendingChunk(future, count) if staged else cast(list[Row], _result(future))
