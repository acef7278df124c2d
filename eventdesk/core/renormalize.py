"""Re-normalization (design 12): apply the current mappings to past events, chunk by chunk.

Raw events never change. For each raw event in scope that is ``normalized`` or ``duplicate``
(``failed`` and ``dead_letter`` are ``retry``'s), in raw-id order, its normalized form is computed
anew and, when it differs, replaced in the store; the unique index on ``normalized_hash``
decides semantic duplicates anew:

- a normalized event whose form changed first hands its old normalized event over to its first
  semantic duplicate (lowest raw id), which becomes ``normalized`` with it, or deletes it when
  it has none; then its new form is inserted, and if the index refuses it, it becomes a
  semantic duplicate of the holder;
- a duplicate whose form changed inserts its new form: its own normalized event when the index
  takes it, else a duplicate of the (other) holder;
- same hash, other warnings: rewritten in place.

Each chunk is one unit of work that also records the run's progress (last raw id, counts), so
a crash leaves every chunk done or not done, and a re-run with the same mapping version and
scope continues where it stopped. A dry run does the same in one unit of work that is never
committed: it reports exactly what a run would do, and writes nothing.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, replace
from typing import Callable, Optional

from eventdesk.core.compiled import FastPreparer
from eventdesk.core.conflicts import run_again_on_conflict
from eventdesk.core.errors import EventdeskError
from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.model import EventId, Status
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.ports.events import NewNormalized, RawUpdate
from eventdesk.core.ports.renormalize import (
    CANCELLED,
    FINISHED,
    RUNNING,
    SUPERSEDED,
    RenormalizeItem,
    RenormalizeRun,
    RenormalizeScope,
    RenormalizeUnit,
    RenormalizeWrites,
)
from eventdesk.core.processor import utc_now_text

#: Raw events per transaction. Each commit rewrites the random index pages its changes touch:
#: 2,000 a chunk ran at 19.4k events/s on a 200k store, 20,000 at 23k; on 1.1M events (with
#: workers) 20,000 took 34.8 s, 50,000 32.8 s, 100,000 31.5 s. 50,000: a chunk holds the write
#: lock for about as long as a bulk ingest batch (~1.5 s), and Cancel waits for at most one.
DEFAULT_CHUNK = 50_000
ProgressCallback = Callable[[dict[str, int]], None]
PlainHashes = Callable[[list[bytes]], list[Optional[bytes]]]


class RunTakenOver(EventdeskError):
    """Another process changed this run's record between two chunks: two runs at once."""


@dataclass(frozen=True)
class RenormalizeSummary:
    counts: dict[str, int]
    mapping_version: int
    dry_run: bool = False
    cancelled: bool = False
    resumed: bool = False
    run_id: Optional[int] = None

    def to_json(self) -> dict[str, int]:
        return {**self.counts, "mapping_version": self.mapping_version}


class Renormalizer:
    def __init__(self, store: RenormalizeWrites, normalizer: Normalizer, mapping_version: int,
                 user: Optional[str] = None, chunk_size: int = DEFAULT_CHUNK,
                 clock: Callable[[], str] = utc_now_text, hashes: Optional[PlainHashes] = None) -> None:
        """``hashes``: ``FastPreparer.plain_hashes`` done elsewhere (``ParallelPreparer``: in
        worker processes); None: in this process. A raw text never changes, so where it is
        hashed cannot change what a chunk does."""
        self.store, self.normalizer, self.version = store, normalizer, mapping_version
        self._hashes = hashes or FastPreparer(normalizer.mappings).plain_hashes
        self.user, self.chunk_size, self.clock = user, chunk_size, clock

    def run(self, scope: RenormalizeScope, dry_run: bool = False,
            cancel: Optional[threading.Event] = None,
            progress: Optional[ProgressCallback] = None) -> RenormalizeSummary:
        if dry_run:
            return self._dry_run(scope, cancel, progress)
        run, resumed = run_again_on_conflict(lambda: self._start(scope))
        while True:
            if cancel is not None and cancel.is_set():
                self._end(run, CANCELLED)
                return self._summary(run, cancelled=True, resumed=resumed)
            # a conflict rolled the chunk back whole: it is derived anew from the store
            run = run_again_on_conflict(functools.partial(self._next_chunk, scope, run))
            if run.state == FINISHED:
                return self._summary(run, resumed=resumed)
            if progress is not None:
                progress(dict(run.counts))

    def _next_chunk(self, scope: RenormalizeScope, run: RenormalizeRun) -> RenormalizeRun:
        """One chunk and its progress in one unit of work; the run as it now stands."""
        with self.store.renormalize_unit() as unit:
            _check_ours(unit, run)
            items = unit.scope_chunk(scope, run.last_raw_id, self.chunk_size)
            if items:
                counts = dict(run.counts)
                self._chunk(unit, items, counts)
                done = replace(run, last_raw_id=items[-1].raw_id, counts=counts)
            else:
                done = replace(run, state=FINISHED, finished_at=self.clock())
            unit.save_run(done)
            unit.commit()
        return done

    def _dry_run(self, scope: RenormalizeScope, cancel: Optional[threading.Event],
                 progress: Optional[ProgressCallback]) -> RenormalizeSummary:
        run = RenormalizeRun(0, self.version, scope, self.clock(), self.user)
        with self.store.dry_run_unit() as unit:  # never committed: rolled back on leaving
            after = None
            while not (cancel is not None and cancel.is_set()):
                items = unit.scope_chunk(scope, after, self.chunk_size)
                if not items:
                    return RenormalizeSummary(run.counts, self.version, dry_run=True)
                self._chunk(unit, items, run.counts)
                after = items[-1].raw_id
                if progress is not None:
                    progress(dict(run.counts))
        return RenormalizeSummary(run.counts, self.version, dry_run=True, cancelled=True)

    def _start(self, scope: RenormalizeScope) -> tuple[RenormalizeRun, bool]:
        """Continue the unfinished run of this version and scope, or record a new one."""
        with self.store.renormalize_unit() as unit:
            latest = unit.latest_run()
            unfinished = latest is not None and latest.state in (RUNNING, CANCELLED)
            if latest is not None and unfinished and latest.mapping_version == self.version \
                    and latest.scope == scope:
                run, resumed = replace(latest, state=RUNNING), True
            else:
                if latest is not None and unfinished:  # another version or scope: not to be continued
                    unit.save_run(replace(latest, state=SUPERSEDED, finished_at=self.clock()))
                next_id = latest.run_id + 1 if latest is not None else 1
                run, resumed = RenormalizeRun(next_id, self.version, scope, self.clock(), self.user), False
            unit.save_run(run)
            unit.commit()
        return run, resumed

    def _end(self, run: RenormalizeRun, state: str) -> None:
        with self.store.renormalize_unit() as unit:
            _check_ours(unit, run)
            unit.save_run(replace(run, state=state, finished_at=self.clock()))
            unit.commit()

    def _summary(self, run: RenormalizeRun, cancelled: bool = False, resumed: bool = False) -> RenormalizeSummary:
        return RenormalizeSummary(dict(run.counts), self.version, False, cancelled, resumed, run.run_id)

    # -- one chunk, in raw-id order

    def _chunk(self, unit: RenormalizeUnit, items: list[RenormalizeItem], counts: dict[str, int]) -> None:
        now = self.clock()
        promoted: dict[EventId, tuple[str, ...]] = {}  # raw id -> warnings of the event handed to it
        # most events do not change: their hashes (the compiled path, ~3x faster) tell at once
        digests = self._hashes([t.encode("utf-8") if isinstance(t, str) else t for t in (i.text for i in items)])
        for item, digest in zip(items, digests, strict=True):
            if item.raw_id in promoted:  # read as a duplicate; holds that event since a hand-over
                item = replace(item, status=Status.NORMALIZED.value, warnings=promoted.pop(item.raw_id))
            counts["examined"] += 1
            if _unchanged(item, digest):
                counts["unchanged"] += 1
                continue
            outcome, heir = self._one(unit, item, now)
            counts["changed" if outcome else "unchanged"] += 1
            if outcome in ("now_semantic_duplicate", "no_longer_duplicate"):
                counts[outcome] += 1
            if heir is not None:
                counts["no_longer_duplicate"] += 1
                promoted[heir] = item.warnings

    def _one(self, unit: RenormalizeUnit, item: RenormalizeItem, now: str) -> tuple[str, Optional[EventId]]:
        """Re-normalize one raw event: ('' when unchanged, else what became of it; the raw id its
        old normalized event was handed over to, if any)."""
        prepared = self.normalizer.prepare(read_envelope_fast(item.text))
        canonical, digest = prepared.canonical, prepared.normalized_hash
        if canonical is None or digest is None:  # intake does not depend on mappings: never here
            return "", None
        row = NewNormalized(item.raw_id, canonical.client_id, canonical.metric, canonical.amount,
                            canonical.timestamp, digest, canonical.warnings, prepared.stored,
                            canonical.reasons, self.version)
        if item.status == Status.NORMALIZED.value:
            if digest == item.normalized_hash:
                if tuple(canonical.warnings) == tuple(item.warnings):
                    return "", None
                unit.rewrite_normalized(item.normalized_id, row)
                return "changed", None
            heir = unit.first_duplicate(item.normalized_id)
            if heir is not None:  # the old form stays counted once: its first duplicate holds it now
                unit.hand_over(item.normalized_id, heir, now)
            else:
                unit.delete_normalized(item.normalized_id)
            holder = self._insert(unit, row)
            if holder is None:
                return "changed", heir
            unit.update_raws([RawUpdate(item.raw_id, Status.DUPLICATE.value, item.attempts, None, holder, now)])
            return "now_semantic_duplicate", heir
        if digest == item.normalized_hash:
            return "", None
        holder = self._insert(unit, row)
        if holder is None:
            unit.update_raws([RawUpdate(item.raw_id, Status.NORMALIZED.value, item.attempts, None, None, now)])
            return "no_longer_duplicate", None
        unit.update_raws([RawUpdate(item.raw_id, Status.DUPLICATE.value, item.attempts, None, holder, now)])
        return "changed", None

    @staticmethod
    def _insert(unit: RenormalizeUnit, row: NewNormalized) -> Optional[EventId]:
        """Insert ``row``; None when the index took it, else the id of the event that holds its hash."""
        if unit.insert_normalized([row])[0] is not None:
            return None
        return unit.find_normalized([row.normalized_hash])[row.normalized_hash][0]


def _unchanged(item: RenormalizeItem, digest: Optional[bytes]) -> bool:
    """The event's new form is its stored one: same normalized hash, read without a warning
    (``plain_hashes``), and stored without one."""
    return digest is not None and digest.hex() == item.normalized_hash and not item.warnings


def _check_ours(unit: RenormalizeUnit, run: RenormalizeRun) -> None:
    latest = unit.latest_run()
    if latest is None or latest.run_id != run.run_id or latest.last_raw_id != run.last_raw_id:
        raise RunTakenOver("another renormalize run changed this run's progress: "
                           "two runs at once on one store; run it again when the other has ended")
