"""MemoryUnitOfWork: writes staged in dicts, applied in one step on commit, dropped otherwise."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Optional, Sequence

from eventdesk.core.errors import StoreBug
from eventdesk.core.model import EventId
from eventdesk.core.ports import NewNormalized, NewRaw, RawRef, RawUpdate
from fakes.memory_data import Normalized, Raw
from fakes.memory_reads import as_id

if TYPE_CHECKING:
    from fakes.memory_store import MemoryStore


class MemoryUnitOfWork:
    atomic = True

    def __init__(self, store: "MemoryStore") -> None:
        self._store, self._data = store, store.data
        self._raws: dict[int, Raw] = {}                # new or changed raw events
        self._raw_by_hash: dict[str, int] = {}
        self._normalized: dict[int, Normalized] = {}
        self._normalized_by_hash: dict[str, int] = {}
        self._marks: set[str] = set()
        self.committed = False

    # -- reading through the staging

    def _raw(self, raw_id: int) -> Optional[Raw]:
        return self._raws.get(raw_id) or self._data.raws.get(raw_id)

    def _raw_id_of(self, digest: str) -> Optional[int]:
        return self._raw_by_hash.get(digest, self._data.raw_by_hash.get(digest))

    def _normalized_id_of(self, digest: str) -> Optional[int]:
        return self._normalized_by_hash.get(digest, self._data.normalized_by_hash.get(digest))

    def _normalized_of_raw(self, raw_id: EventId) -> Optional[int]:
        staged = [n.id for n in self._normalized.values() if n.raw_id == raw_id]
        committed = self._data.normalized_of_raw.get(raw_id)
        return min(staged + ([committed] if committed is not None else []), default=None)

    def _next_id(self, committed: dict, staged: dict) -> int:
        return max(max(committed, default=0), max(staged, default=0)) + 1

    # -- the port

    def insert_raws(self, rows: Sequence[NewRaw]) -> list[Optional[EventId]]:
        self._store.maybe_fail("insert_raws")
        ids: list[Optional[EventId]] = []
        for row in rows:
            if self._store.unique_indexes and self._raw_id_of(row.content_hash) is not None:
                ids.append(None)  # the unique index refused it
                continue
            new_id = self._next_id(self._data.raws, self._raws)
            self._raws[new_id] = Raw(new_id, row.source, row.text, row.status, row.content_hash, row.error,
                                     row.attempts, 1, row.received_at, row.received_at, None, row.reasons)
            self._raw_by_hash.setdefault(row.content_hash, new_id)
            ids.append(new_id)
        return ids

    def find_raws(self, content_hashes: Sequence[str]) -> dict[str, RawRef]:
        found: dict[str, RawRef] = {}
        for digest in content_hashes:
            raw_id = self._raw_id_of(digest)
            raw = None if raw_id is None else self._raw(raw_id)
            if raw is not None:
                found[digest] = RawRef(raw.id, raw.status, raw.attempts, self._normalized_of_raw(raw.id),
                                       raw.duplicate_of)
        return found

    def insert_normalized(self, rows: Sequence[NewNormalized]) -> list[Optional[EventId]]:
        self._store.maybe_fail("insert_normalized")
        ids: list[Optional[EventId]] = []
        for row in rows:
            if self._store.unique_indexes and self._normalized_id_of(row.normalized_hash) is not None:
                ids.append(None)
                continue
            new_id = self._next_id(self._data.normalized, self._normalized)
            self._normalized[new_id] = Normalized(new_id, row.raw_id, row.client_id, row.metric, row.amount,
                                                  row.timestamp, row.normalized_hash, tuple(row.warnings),
                                                  tuple(row.reasons), row.mapping_version)
            self._normalized_by_hash.setdefault(row.normalized_hash, new_id)
            ids.append(new_id)
        return ids

    def find_normalized(self, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
        found: dict[str, tuple[EventId, EventId]] = {}
        for digest in hashes:
            normalized_id = self._normalized_id_of(digest)
            if normalized_id is not None:
                row = self._normalized.get(normalized_id) or self._data.normalized[normalized_id]
                found[digest] = (row.id, row.raw_id)
        return found

    def _staged_raw(self, raw_id: EventId) -> Raw:
        key = as_id(raw_id)
        raw = None if key is None else self._raw(key)
        if raw is None:  # the real stores would update nothing: a caller's bug either way
            raise StoreBug(f"no raw event {raw_id!r} to update")
        if raw.id not in self._raws:
            raw = self._raws[raw.id] = dataclasses.replace(raw)  # copy on write
        return raw

    def update_raws(self, updates: Sequence[RawUpdate]) -> None:
        self._store.maybe_fail("update_raws")
        for u in updates:
            raw = self._staged_raw(u.id)
            raw.status, raw.attempts, raw.error = u.status, u.attempts, u.error
            raw.duplicate_of, raw.updated_at, raw.reasons = u.duplicate_of, u.updated_at, u.reasons

    def add_receipts(self, counts: dict[EventId, int]) -> None:
        for raw_id, count in counts.items():
            self._staged_raw(raw_id).receipts += count

    def mark(self, token: str) -> None:
        self._marks.add(token)

    def commit(self) -> None:
        if self.committed:
            raise StoreBug("a unit of work committed twice")
        self._store.maybe_fail("commit", landed=self._apply)
        self._apply()

    def _apply(self) -> None:
        """Make the staged writes visible in one step."""
        data = self._data
        with data.apply_lock:
            data.raws.update(self._raws)
            data.raw_by_hash.update(self._raw_by_hash)
            data.normalized.update(self._normalized)
            data.normalized_by_hash.update(self._normalized_by_hash)
            for row in sorted(self._normalized.values(), key=lambda n: n.id):
                data.normalized_of_raw.setdefault(row.raw_id, row.id)
            data.marks |= self._marks
        self.committed = True
