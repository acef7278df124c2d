"""The re-normalization unit of the MemoryStore: works on copies, swapped in on commit only."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Optional, Sequence

from eventdesk.core.model import EventId, Status
from eventdesk.core.normalizer import client_id_of
from eventdesk.core.ports import NewNormalized, NewRaw, RawRef, RawUpdate
from eventdesk.core.ports.renormalize import RenormalizeItem, RenormalizeRun, RenormalizeScope
from fakes.memory_data import Normalized

if TYPE_CHECKING:
    from fakes.memory_store import MemoryStore


class MemoryRenormalizeUnit:
    atomic = True

    def __init__(self, store: "MemoryStore") -> None:
        data = self._data = store.data
        self._store = store
        with data.apply_lock:
            self.raws = {k: dataclasses.replace(v) for k, v in data.raws.items()}
            self.normalized = dict(data.normalized)
            self.by_hash = dict(data.normalized_by_hash)
            self.of_raw = dict(data.normalized_of_raw)
            self.runs = [dataclasses.replace(r) for r in data.renormalize_runs]
        self.committed = False

    def scope_chunk(self, scope: RenormalizeScope, after_id: Optional[EventId],
                    limit: int) -> list[RenormalizeItem]:
        items = []
        for raw_id in sorted(k for k in self.raws if k > (after_id or 0)):
            raw = self.raws[raw_id]
            if raw.status == Status.NORMALIZED.value:
                nid = self.of_raw.get(raw_id)
            elif raw.status == Status.DUPLICATE.value:
                nid = raw.duplicate_of
            else:
                continue
            row = self.normalized.get(nid) if nid is not None else None  # type: ignore[arg-type]
            if row is None or not _in_scope(scope, row.client_id, raw.received_at):
                continue
            warnings = row.warnings if raw.status == Status.NORMALIZED.value else ()
            items.append(RenormalizeItem(raw_id, raw.text, raw.status, raw.attempts, row.id,
                                         row.normalized_hash, tuple(warnings)))
            if len(items) == limit:
                break
        return items

    def first_duplicate(self, normalized_id: EventId) -> Optional[EventId]:
        return min((r.id for r in self.raws.values()
                    if r.status == Status.DUPLICATE.value and r.duplicate_of == normalized_id), default=None)

    def hand_over(self, normalized_id: EventId, raw_id: EventId, now: str) -> None:
        row = self.normalized[normalized_id]  # type: ignore[index]
        self.of_raw.pop(row.raw_id, None)
        self.normalized[row.id] = dataclasses.replace(row, raw_id=raw_id)
        self.of_raw[raw_id] = row.id
        raw = self.raws[raw_id]  # type: ignore[index]
        raw.status, raw.duplicate_of, raw.error, raw.updated_at, raw.reasons = \
            Status.NORMALIZED.value, None, None, now, None

    def delete_normalized(self, normalized_id: EventId) -> None:
        row = self.normalized.pop(normalized_id)  # type: ignore[arg-type]
        if self.by_hash.get(row.normalized_hash) == row.id:
            del self.by_hash[row.normalized_hash]
        if self.of_raw.get(row.raw_id) == row.id:
            del self.of_raw[row.raw_id]

    def rewrite_normalized(self, normalized_id: EventId, row: NewNormalized) -> None:
        old = self.normalized[normalized_id]  # type: ignore[index]
        self.normalized[old.id] = dataclasses.replace(old, warnings=tuple(row.warnings), reasons=tuple(row.reasons),
                                                      mapping_version=row.mapping_version)

    def insert_normalized(self, rows: Sequence[NewNormalized]) -> list[Optional[EventId]]:
        ids: list[Optional[EventId]] = []
        for row in rows:
            if row.normalized_hash in self.by_hash:
                ids.append(None)
                continue
            new_id = max(self.normalized, default=0) + 1
            self.normalized[new_id] = Normalized(new_id, row.raw_id, row.client_id, row.metric, row.amount,
                                                 row.timestamp, row.normalized_hash, tuple(row.warnings),
                                                 tuple(row.reasons), row.mapping_version)
            self.by_hash[row.normalized_hash] = new_id
            self.of_raw.setdefault(row.raw_id, new_id)
            ids.append(new_id)
        return ids

    def find_normalized(self, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
        return {h: (self.by_hash[h], self.normalized[self.by_hash[h]].raw_id) for h in hashes if h in self.by_hash}

    def update_raws(self, updates: Sequence[RawUpdate]) -> None:
        for u in updates:
            raw = self.raws[u.id]  # type: ignore[index]
            raw.status, raw.attempts, raw.error = u.status, u.attempts, u.error
            raw.duplicate_of, raw.updated_at, raw.reasons = u.duplicate_of, u.updated_at, u.reasons
            if u.status != Status.NORMALIZED.value:
                self.of_raw.pop(u.id, None)

    def insert_raws(self, rows: Sequence[NewRaw]) -> list[Optional[EventId]]:
        raise NotImplementedError("re-normalization never inserts raw events")

    def find_raws(self, content_hashes: Sequence[str]) -> dict[str, RawRef]:
        raise NotImplementedError("re-normalization never looks raw events up by hash")

    def add_receipts(self, counts: dict[EventId, int]) -> None:
        raise NotImplementedError("re-normalization never counts a receipt")

    def mark(self, token: str) -> None:
        self._data.marks.add(token)

    def latest_run(self) -> Optional[RenormalizeRun]:
        return dataclasses.replace(self.runs[-1]) if self.runs else None

    def save_run(self, run: RenormalizeRun) -> None:
        self.runs = [r for r in self.runs if r.run_id != run.run_id] + [dataclasses.replace(run)]
        self.runs.sort(key=lambda r: r.run_id)

    def commit(self) -> None:
        self._store.maybe_fail("commit")
        data = self._data
        with data.apply_lock:
            data.raws, data.normalized, data.normalized_by_hash = self.raws, self.normalized, self.by_hash
            data.normalized_of_raw, data.renormalize_runs = self.of_raw, self.runs
        self.committed = True


def _in_scope(scope: RenormalizeScope, client_id: str, received_at: str) -> bool:
    if scope.client_id is not None and client_id_of(client_id) != scope.client_id:
        return False
    if scope.received_from is not None and received_at < scope.received_from:
        return False
    return scope.received_to is None or received_at < scope.received_to
