"""The store ports: what the core and the services ask of any store, and nothing about how.

Narrow by design: ``EventWrites`` is all the processor calls; ``EventReads`` is what tables,
statistics and aggregates read; ``MappingsStore`` keeps versioned mappings. ``EventStore`` is
what an adapter (SqliteStore, MongoStore, the tests' fake) offers: all of them.

Writes go through a unit of work that rolls back unless ``commit()`` is called. Its bulk
operations let the unique indexes decide: ``insert_raws`` and ``insert_normalized`` return, per
row, the new id, or None where the store's unique index on the hash refused the row. That
refusal, not a read-before-write, is what keeps a fact from being counted twice.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional, Protocol, Sequence

from eventdesk.core.errors import StoreError
from eventdesk.core.model import EventId, NormalizedEvent, RawEvent, Reason
from eventdesk.core.ports.triage import TriageReads
from eventdesk.core.ports.versions import MappingVersion
from eventdesk.core.queries import AggregateQuery, AggregateRow, NormalizedQuery, Page, RawQuery, Stats


class StoreVersionError(StoreError):
    """The store's schema version is one this program cannot use (written by a newer eventdesk,
    or an older one that cannot be upgraded where it is read-only); nothing was written."""


@dataclass(frozen=True, slots=True)
class NewRaw:
    source: Optional[str]
    text: str | bytes
    status: str
    content_hash: str
    error: Optional[str]
    attempts: int
    received_at: str
    reasons: Optional[str] = None  # JSON list of {code, field, key} (model.reasons_json)


@dataclass(frozen=True, slots=True)
class NewNormalized:
    raw_id: EventId
    client_id: str
    metric: Optional[str]
    amount: Optional[Decimal]
    timestamp: Optional[datetime]
    normalized_hash: str
    warnings: tuple[str, ...]
    stored: Any = None  # core.stored.StoredForm when precomputed; stores may ignore it
    reasons: tuple[Reason, ...] = ()
    mapping_version: Optional[int] = None  # the mappings version that made it


@dataclass(frozen=True, slots=True)
class RawRef:
    """What the processor needs to know of an existing raw event."""

    id: EventId
    status: str
    attempts: int
    normalized_id: Optional[EventId]
    duplicate_of: Optional[EventId]


@dataclass(frozen=True, slots=True)
class RawUpdate:
    id: EventId
    status: str
    attempts: int
    error: Optional[str]
    duplicate_of: Optional[EventId]
    updated_at: str
    reasons: Optional[str] = None  # JSON list of the failure's reasons; None clears them


@dataclass(frozen=True, slots=True)
class BulkDetails:
    """Which row became what in a bulk write, for callers that answer per input (HTTP batches).

    Rows are numbered from 0 in batch order. A row not in ``refused`` is a new raw event with id
    ``first_raw + row``; a valid one of those not in ``semantic`` is a new normalized event with
    id ``first_normalized + row``. ``holders`` has, for every raw event a refused row repeats,
    its status and its normalized event (its own, or the one it duplicates) as committed."""

    first_raw: int                               # a store that writes in bulk numbers its rows
    first_normalized: int
    refused: dict[int, int]                      # row -> the raw event holding its content hash
    semantic: dict[int, int]                     # row -> the normalized event holding its hash
    holders: dict[int, tuple[str, Optional[int]]]


@dataclass(frozen=True, slots=True)
class BulkCounts:
    """What a bulk write of rows came to, per outcome (``BulkUnitOfWork.ingest_rows``)."""

    accepted: int = 0
    duplicate: int = 0
    semantic_duplicate: int = 0
    rejected: int = 0
    details: Optional[BulkDetails] = None  # when asked for


class UnitOfWork(Protocol):
    """One transaction (or, where a store has none, its closest equivalent)."""

    #: True when raw and normalized writes commit or roll back together.
    atomic: bool

    def insert_raws(self, rows: Sequence[NewRaw]) -> list[Optional[EventId]]: ...
    def find_raws(self, content_hashes: Sequence[str]) -> dict[str, RawRef]: ...
    def insert_normalized(self, rows: Sequence[NewNormalized]) -> list[Optional[EventId]]: ...
    def find_normalized(self, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
        """normalized_hash -> (normalized id, raw id) for those that exist."""
        ...
    def update_raws(self, updates: Sequence[RawUpdate]) -> None: ...
    def add_receipts(self, counts: dict[EventId, int]) -> None: ...
    def mark(self, token: str) -> None:
        """Write ``token`` in this transaction, so that ``EventStore.has_mark`` can later tell
        whether a commit whose reply was lost did land."""
        ...
    def commit(self) -> None: ...


class BulkUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that writes a whole batch of prepared rows (``core.rows``) in the store's
    own terms; offered by stores whose ``bulk_rows`` is True."""

    def ingest_rows(self, rows: Sequence[Any], now: str, mapping_version: Optional[int],
                    details: bool = False) -> Optional[BulkCounts]:
        """Write new raw and normalized events with receipts for re-sends, as ``insert_raws`` ...
        would; None (having written nothing it keeps) when a row needs the general path. With
        ``details``, the counts say which row became what (``BulkDetails``)."""
        ...


class EventWrites(Protocol):
    """What the processor needs of a store: units of work, commit marks, and the raw events to
    reprocess."""

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]: ...
    def has_mark(self, token: str) -> bool:
        """True when a unit of work that wrote this mark has committed."""
        ...
    def raw_ids_by_status(self, statuses: Sequence[str], after_id: Optional[EventId],
                          limit: int, updated_before: Optional[str] = None) -> list[RawEvent]: ...


class EventReads(Protocol):
    """The read side: single events, tables with filters and paging, and numbers the store computes."""

    def get_raw(self, raw_id: EventId) -> Optional[RawEvent]: ...
    def get_normalized(self, normalized_id: EventId) -> Optional[NormalizedEvent]: ...
    def normalized_for_raw(self, raw_id: EventId) -> Optional[NormalizedEvent]: ...
    def normalized_holders(self, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
        """normalized_hash (lower-case hex) -> (normalized id, raw id) for those that exist."""
        ...

    def warned_raw_ids(self, raw_ids: Sequence[EventId]) -> set[EventId]:
        """Those of ``raw_ids`` whose normalized event has warnings (one lookup per page)."""
        ...

    def query_raw(self, query: RawQuery, page: Page) -> list[RawEvent]: ...
    def count_raw(self, query: RawQuery) -> int: ...
    def query_normalized(self, query: NormalizedQuery, page: Page) -> list[NormalizedEvent]: ...
    def count_normalized(self, query: NormalizedQuery) -> int: ...
    def distinct_values(self, field: str) -> list[str]:
        """Distinct sources (``source``), clients (``client_id``) or metrics (``metric``)."""
        ...

    def stats(self) -> Stats: ...
    def per_client(self) -> dict[str, dict[str, int]]:
        """Raw events per source and status (input without a source under '')."""
        ...
    def aggregates(self, query: AggregateQuery) -> list[AggregateRow]: ...
    def received_per_bucket(self, bucket: str) -> list[tuple[str, int]]: ...


class MappingsStore(Protocol):
    """Mappings, stored with the data and versioned."""

    def current_mappings(self) -> Optional[tuple[int, str]]: ...
    def save_mappings(self, text: str, saved_at: str, saved_by: Optional[str] = None,
                      note: Optional[str] = None) -> int: ...
    def mappings_history(self) -> list[MappingVersion]:
        """Every saved version, oldest first (append-only: a rollback is a new version)."""
        ...
    def mappings_version(self, version: int) -> Optional[MappingVersion]: ...


class EventStore(EventWrites, EventReads, TriageReads, MappingsStore, Protocol):
    """A place to keep raw and normalized events. Adapters: SqliteStore, MongoStore."""

    #: For the status bar and messages: a path or host, never credentials.
    description: str
    #: True when the store commits raw and normalized writes in one transaction.
    transactions: bool

    def close(self) -> None: ...
