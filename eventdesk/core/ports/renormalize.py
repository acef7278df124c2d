"""The re-normalization port (design 12): what ``core.renormalize`` asks of a store.

A ``RenormalizeUnit`` is a unit of work (it rolls back unless committed) with the few extra
operations re-normalization needs: read a chunk of raw events in scope with the normalized
event they lead to, hand a normalized event over to its first semantic duplicate, delete or
rewrite a normalized event, and record the run (its progress and its audit) in the same
transaction. Counts and sums are kept by the store in that transaction, as for every write.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol

from eventdesk.core.model import EventId
from eventdesk.core.ports.events import NewNormalized, UnitOfWork

RUNNING, CANCELLED, FINISHED, SUPERSEDED = "running", "cancelled", "finished", "superseded"
COUNT_NAMES = ("examined", "changed", "unchanged", "now_semantic_duplicate", "no_longer_duplicate")


@dataclass(frozen=True, slots=True)
class RenormalizeScope:
    """Which raw events: a client (its canonical id), a received-at range [from, to) as stored text."""

    client_id: Optional[str] = None
    received_from: Optional[str] = None
    received_to: Optional[str] = None

    def to_json(self) -> dict[str, Optional[str]]:
        return {"client_id": self.client_id, "received_from": self.received_from,
                "received_to": self.received_to}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "RenormalizeScope":
        return cls(value.get("client_id"), value.get("received_from"), value.get("received_to"))


@dataclass(frozen=True, slots=True)
class RenormalizeItem:
    """A raw event in scope (``normalized`` or ``duplicate``) and the normalized event it leads to."""

    raw_id: EventId
    text: str | bytes
    status: str
    attempts: int
    normalized_id: EventId          # its own normalized event, or the one it duplicates
    normalized_hash: str            # that event's hash
    warnings: tuple[str, ...] = ()  # of its own normalized event; () for a duplicate


@dataclass
class RenormalizeRun:
    """One run: its progress (last raw id done) while it runs, its audit once it ends."""

    run_id: int
    mapping_version: int
    scope: RenormalizeScope
    started_at: str
    started_by: Optional[str]
    state: str = RUNNING
    last_raw_id: Optional[EventId] = None
    finished_at: Optional[str] = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "mapping_version": self.mapping_version,
                "scope": self.scope.to_json(), "started_at": self.started_at,
                "started_by": self.started_by, "state": self.state, "last_raw_id": self.last_raw_id,
                "finished_at": self.finished_at, **self.counts}


class RenormalizeUnit(UnitOfWork, Protocol):
    def scope_chunk(self, scope: RenormalizeScope, after_id: Optional[EventId],
                    limit: int) -> list[RenormalizeItem]:
        """Raw events in scope with status normalized or duplicate, id > after_id, by id."""
        ...
    def first_duplicate(self, normalized_id: EventId) -> Optional[EventId]:
        """The lowest raw id that is a semantic duplicate of this normalized event."""
        ...
    def hand_over(self, normalized_id: EventId, raw_id: EventId, now: str) -> None:
        """Make the normalized event that of ``raw_id`` (a duplicate of it), now ``normalized``."""
        ...
    def delete_normalized(self, normalized_id: EventId) -> None: ...
    def rewrite_normalized(self, normalized_id: EventId, row: NewNormalized) -> None:
        """Same hash, other warnings or reasons: rewrite them (and the mapping version) in place."""
        ...
    def latest_run(self) -> Optional[RenormalizeRun]: ...
    def save_run(self, run: RenormalizeRun) -> None: ...


class RenormalizeWrites(Protocol):
    def renormalize_unit(self) -> AbstractContextManager[RenormalizeUnit]: ...
    def dry_run_unit(self) -> AbstractContextManager[RenormalizeUnit]:
        """A unit that is never committed and writes nothing to the store, even on a store
        opened read-only (SQLite: its own connection, rolled back, pages never spilled)."""
        ...
    def renormalize_runs(self) -> list[RenormalizeRun]:
        """Every run recorded, oldest first (read without the write lock)."""
        ...
