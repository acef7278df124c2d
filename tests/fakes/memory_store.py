"""MemoryStore: the EventStore port over dicts, for unit tests and the contract suite.

It keeps the semantics the core relies on, not a shortcut of them:
- unique indexes on ``content_hash`` and ``normalized_hash``: a bulk insert returns None for
  each row the index refused, also for a repeat inside the same call;
- a unit of work stages every write and applies it on ``commit()`` only; leaving it without a
  commit discards the staging (rollback). Reads inside it see its own staged writes;
- one writer at a time (like SQLite's BEGIN IMMEDIATE); readers never wait for a writer, and
  see a commit whole or not at all;
- commit marks, a schema version (a newer one is refused), and ``read_only``.
Faults are scripted with ``fail(operation, error, landed=...)`` to reach the processor's
error paths, e.g. a commit whose reply is lost after it landed.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence

from eventdesk.core.errors import StoreBug, StoreError, StoreReadOnly, StoreUnavailable
from eventdesk.core.model import EventId, NormalizedEvent, RawEvent
from eventdesk.core.ports import MappingVersion, StoreVersionError
from eventdesk.core.queries import AggregateQuery, AggregateRow, NormalizedQuery, Page, RawQuery, Stats
from eventdesk.core.triage import TriageGroup, TriageQuery
from fakes import memory_reads, memory_triage
from fakes.memory_data import SCHEMA_VERSION, MemoryData
from fakes.memory_reads import as_id
from fakes.memory_records import MemoryHttpRecords
from fakes.memory_renormalize import MemoryRenormalizeUnit
from fakes.memory_unit_of_work import MemoryUnitOfWork

WRITE_LOCK_TIMEOUT = 30.0  # seconds, as SQLite's busy timeout


@dataclass
class _Fault:
    error: StoreError
    landed: bool


class MemoryStore:
    """Raw and normalized events in dicts; ``MemoryStore(data=other.data)`` opens the same data."""

    transactions = True

    def __init__(self, data: Optional[MemoryData] = None, read_only: bool = False,
                 description: str = "memory", unique_indexes: bool = True) -> None:
        self.data = data if data is not None else MemoryData()
        if self.data.schema_version > SCHEMA_VERSION:
            raise StoreVersionError(f"the store {description} has schema version {self.data.schema_version},"
                                    " written by a newer eventdesk")
        self.read_only = read_only
        self.unique_indexes = unique_indexes  # False only in negative-control tests
        self.description = description
        self.closed = False
        self._faults: dict[str, list[_Fault]] = {}
        self._local = threading.local()

    # -- scripted faults

    def fail(self, operation: str, error: Optional[StoreError] = None, times: int = 1,
             landed: bool = False) -> None:
        """Make the next ``times`` calls of ``operation`` raise ``error``; with ``landed`` a
        commit is applied first (its reply is lost). Operations: unit_of_work, insert_raws,
        insert_normalized, update_raws, commit, has_mark."""
        error = error or StoreUnavailable(f"injected failure of {operation}")
        self._faults.setdefault(operation, []).extend([_Fault(error, landed)] * times)

    def maybe_fail(self, operation: str, landed: Optional[Callable[[], None]] = None) -> None:
        planned = self._faults.get(operation)
        if planned:
            fault = planned.pop(0)
            if fault.landed and landed is not None:
                landed()
            raise fault.error

    # -- writes

    @contextmanager
    def unit_of_work(self) -> Iterator[MemoryUnitOfWork]:
        self._check_open()
        if self.read_only:
            raise StoreReadOnly(f"the store {self.description} is open read-only")
        if getattr(self._local, "in_work", False):
            raise StoreBug("a unit of work inside another one on the same thread")
        self.maybe_fail("unit_of_work")
        if not self.data.write_lock.acquire(timeout=WRITE_LOCK_TIMEOUT):
            raise StoreUnavailable(f"the store {self.description} is locked by another writer")
        self._local.in_work = True
        try:
            yield MemoryUnitOfWork(self)  # not committed: its staging is simply dropped
        finally:
            self._local.in_work = False
            self.data.write_lock.release()

    @contextmanager
    def renormalize_unit(self) -> Iterator[MemoryRenormalizeUnit]:
        self._check_open()
        if self.read_only:
            raise StoreReadOnly(f"the store {self.description} is open read-only")
        if not self.data.write_lock.acquire(timeout=WRITE_LOCK_TIMEOUT):
            raise StoreUnavailable(f"the store {self.description} is locked by another writer")
        try:
            yield MemoryRenormalizeUnit(self)  # not committed: its copies are simply dropped
        finally:
            self.data.write_lock.release()

    @contextmanager
    def dry_run_unit(self) -> Iterator[MemoryRenormalizeUnit]:
        """Never committed, so allowed on a read-only store too."""
        self._check_open()
        with self.data.write_lock:
            yield MemoryRenormalizeUnit(self)

    def renormalize_runs(self) -> list:
        with self._snapshot() as data:
            return list(data.renormalize_runs)

    def has_mark(self, token: str) -> bool:
        self._check_open()
        self.maybe_fail("has_mark")
        return token in self.data.marks

    def close(self) -> None:
        self.closed = True

    def _check_open(self) -> None:
        if self.closed:
            raise StoreUnavailable(f"the store {self.description} is closed")

    def http_records(self) -> MemoryHttpRecords:
        """The tokens and Idempotency-Key records kept beside this store's events."""
        return self.data.records

    # -- reads: each under the apply lock, so a commit is seen whole or not at all

    @contextmanager
    def _snapshot(self) -> Iterator[MemoryData]:
        self._check_open()
        with self.data.apply_lock:
            yield self.data

    def get_raw(self, raw_id: EventId) -> Optional[RawEvent]:
        with self._snapshot() as data:
            raw = data.raws.get(as_id(raw_id))  # type: ignore[arg-type]
            return None if raw is None else memory_reads.raw_event(data, raw)

    def get_normalized(self, normalized_id: EventId) -> Optional[NormalizedEvent]:
        with self._snapshot() as data:
            row = data.normalized.get(as_id(normalized_id))  # type: ignore[arg-type]
            return None if row is None else memory_reads.normalized_event(row)

    def normalized_holders(self, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
        with self._snapshot() as data:
            found = {}
            for digest in dict.fromkeys(h.lower() for h in hashes):
                normalized_id = data.normalized_by_hash.get(digest)
                if normalized_id is not None:
                    found[digest] = (normalized_id, data.normalized[normalized_id].raw_id)
            return found

    def normalized_for_raw(self, raw_id: EventId) -> Optional[NormalizedEvent]:
        with self._snapshot() as data:
            normalized_id = data.normalized_of_raw.get(as_id(raw_id))  # type: ignore[arg-type]
            if normalized_id is None:
                return None
            return memory_reads.normalized_event(data.normalized[normalized_id])

    def warned_raw_ids(self, raw_ids: Sequence[EventId]) -> set[EventId]:
        with self._snapshot() as data:
            found: set[EventId] = set()
            for raw_id in raw_ids:
                normalized_id = data.normalized_of_raw.get(as_id(raw_id))  # type: ignore[arg-type]
                if normalized_id is not None and data.normalized[normalized_id].warnings:
                    found.add(raw_id)
            return found

    def query_raw(self, query: RawQuery, page: Page) -> list[RawEvent]:
        with self._snapshot() as data:
            return memory_reads.query_raw(data, query, page)

    def count_raw(self, query: RawQuery) -> int:
        with self._snapshot() as data:
            return sum(1 for _ in memory_reads.raws_matching(data, query))

    def query_normalized(self, query: NormalizedQuery, page: Page) -> list[NormalizedEvent]:
        with self._snapshot() as data:
            return memory_reads.query_normalized(data, query, page)

    def count_normalized(self, query: NormalizedQuery) -> int:
        with self._snapshot() as data:
            return sum(1 for _ in memory_reads.normalized_matching(data, query))

    def raw_ids_by_status(self, statuses: Sequence[str], after_id: Optional[EventId], limit: int,
                          updated_before: Optional[str] = None) -> list[RawEvent]:
        with self._snapshot() as data:
            return memory_reads.raw_by_status(data, statuses, as_id(after_id) or 0, limit, updated_before)

    def distinct_values(self, field: str) -> list[str]:
        with self._snapshot() as data:
            return memory_reads.distinct_values(data, field)

    def stats(self) -> Stats:
        with self._snapshot() as data:
            return memory_reads.stats(data)

    def per_client(self) -> dict[str, dict[str, int]]:
        with self._snapshot() as data:
            return memory_reads.per_client(data)

    def aggregates(self, query: AggregateQuery) -> list[AggregateRow]:
        with self._snapshot() as data:
            return memory_reads.aggregates(data, query)

    def received_per_bucket(self, bucket: str) -> list[tuple[str, int]]:
        with self._snapshot() as data:
            return memory_reads.received_per_bucket(data, bucket)

    def triage(self, query: TriageQuery) -> list[TriageGroup]:
        with self._snapshot() as data:
            return memory_triage.triage(data, query)

    # -- mappings

    def current_mappings(self) -> Optional[tuple[int, str]]:
        with self._snapshot() as data:
            return (data.mappings[-1][0], data.mappings[-1][1]) if data.mappings else None

    def save_mappings(self, text: str, saved_at: str, saved_by: Optional[str] = None,
                      note: Optional[str] = None) -> int:
        self._check_open()
        if self.read_only:
            raise StoreReadOnly(f"the store {self.description} is open read-only")
        with self.data.write_lock, self.data.apply_lock:
            version = (self.data.mappings[-1][0] if self.data.mappings else 0) + 1
            self.data.mappings.append((version, text, saved_at))
            self.data.mapping_notes[version] = (saved_by, note)
            return version

    def mappings_history(self) -> list[MappingVersion]:
        with self._snapshot() as data:
            return [MappingVersion(v, text, at, *data.mapping_notes.get(v, (None, None)))
                    for v, text, at in data.mappings]

    def mappings_version(self, version: int) -> Optional[MappingVersion]:
        return next((v for v in self.mappings_history() if v.version == version), None)

__all__ = ["MemoryStore", "MemoryData", "MemoryUnitOfWork", "SCHEMA_VERSION"]
