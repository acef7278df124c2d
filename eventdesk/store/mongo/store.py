"""MongoStore: the EventStore adapter for MongoDB (pymongo).

On a replica set or sharded cluster each unit of work is one snapshot transaction; on a
standalone server (and on mongomock) it is a compensated sequence of writes, and
``transactions`` is False. Ids are integers, as in the SQLite store. Every pymongo error is
mapped to an eventdesk store error here, with credentials kept out of every message.
"""
from __future__ import annotations

import functools
import logging
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar

from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError, PyMongoError

from eventdesk.core.conflicts import run_again_on_conflict
from eventdesk.core.errors import StoreError, StoreUnavailable
from eventdesk.core.model import EventId, NormalizedEvent, RawEvent
from eventdesk.core.ports import MappingVersion
from eventdesk.core.ports.renormalize import RenormalizeRun
from eventdesk.core.queries import AggregateQuery, AggregateRow, NormalizedQuery, Page, RawQuery, Stats
from eventdesk.core.triage import TriageGroup, TriageQuery
from eventdesk.store.mongo import aggregates, capabilities, reads, renormalize, schema, triage, versions
from eventdesk.store.mongo.compensation import StandaloneUnitOfWork
from eventdesk.store.mongo.errors import (
    TransientConflict,
    describe,
    redact,
    scrub,
    translate,
    uri_database,
    uri_options,
)
from eventdesk.store.mongo.transaction import MAX_TRIES, TransactionalUnitOfWork
from eventdesk.store.mongo.unit_of_work import MongoWrites

T = TypeVar("T")
DEFAULT_DATABASE = "eventdesk"
log = logging.getLogger("eventdesk")


def _mapped(method: Callable[..., T]) -> Callable[..., T]:
    """Turn pymongo errors raised by a store method into eventdesk store errors."""
    @functools.wraps(method)
    def wrapper(self: "MongoStore", *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except PyMongoError as exc:
            raise translate(exc, self.description) from exc
    return wrapper


def build_client(uri: str, timeout_ms: int) -> Any:
    """A pymongo client; options given in the URI win over eventdesk's defaults."""
    given = uri_options(uri)
    defaults: dict[str, Any] = {"serverSelectionTimeoutMS": timeout_ms, "connectTimeoutMS": timeout_ms,
                                "retryWrites": True, "appname": "eventdesk"}
    kwargs = {name: value for name, value in defaults.items() if not _usable(given.get(name.lower()), value)}
    try:
        return MongoClient(uri, **kwargs)
    except (ValueError, TypeError) as exc:  # a malformed option value in the URI
        raise StoreUnavailable(f"the MongoDB address {redact(uri)} is not usable: {scrub(str(exc))}") from exc


def _usable(given: Optional[str], default: Any) -> bool:
    """Whether a URI's option value will be used by pymongo (it ignores malformed ones)."""
    if given is None:
        return False
    if isinstance(default, bool):
        return given.lower() in ("true", "false")
    if isinstance(default, int):
        try:
            return float(given) >= 0
        except ValueError:
            return False
    return True


class MongoStore:
    """Raw and normalized events in one MongoDB database."""

    def __init__(self, uri: str, *, client: Any = None, database: Optional[str] = None,
                 server_selection_timeout_ms: int = 3000, unique_indexes: bool = True,
                 read_only: bool = False) -> None:
        name = database or uri_database(uri) or DEFAULT_DATABASE
        self.description = describe(uri, name)
        self._unique = unique_indexes  # False only in negative-control tests
        self._owns_client = client is None
        self.read_only = read_only
        try:
            self._client = client if client is not None else build_client(uri, server_selection_timeout_ms)
            self._db = self._client[name]
            caps = capabilities.detect(self._client)
            version = versions.check(self._db, self.description)
            if not read_only:  # a reader creates nothing: no indexes, no counters, no version
                schema.ensure_indexes(self._db, unique_indexes)
                versions.record(self._db, version)
        except PyMongoError as exc:
            self.close()
            raise translate(exc, self.description) from exc
        except StoreError:
            self.close()
            raise
        self.capabilities = caps
        self.transactions = caps.transactions
        self.notice = caps.notice
        if self.notice:
            log.warning("%s (%s)", self.notice, self.description)

    @property
    def database(self) -> Any:
        """The pymongo database, for adapters that keep their records beside the events."""
        return self._db

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None and self._owns_client:
            client.close()

    def drop_database(self) -> None:
        """Remove this store's whole database (test teardown)."""
        self._client.drop_database(self._db.name)

    # -- writes

    def unit_of_work(self) -> AbstractContextManager[MongoWrites]:
        return self._unit(TransactionalUnitOfWork, StandaloneUnitOfWork)

    def renormalize_unit(self) -> AbstractContextManager[Any]:
        """A unit of work for re-normalization (``store/mongo/renormalize.py``)."""
        self._ensure_duplicate_index()
        return self._unit(renormalize.TransactionalRenormalizeUnit, renormalize.StandaloneRenormalizeUnit)

    @contextmanager
    def _unit(self, transactional: Any, standalone: Any) -> Iterator[Any]:
        """A transaction on a replica set or mongos, else the compensating standalone kind."""
        uow = (transactional(self._client, self._db, self._unique, self.description) if self.transactions
               else standalone(self._db, self._unique, self.description))
        try:
            with uow:
                yield uow
        except PyMongoError as exc:
            raise translate(exc, self.description) from exc

    @contextmanager
    def dry_run_unit(self) -> Iterator[Any]:
        """A transaction that is always aborted; a standalone server has none, so no dry run there."""
        if not self.transactions:
            raise StoreUnavailable(f"a dry run needs transactions, which the MongoDB server {self.description} "
                                   "does not offer (a replica set does)")
        with self.renormalize_unit() as uow:
            yield uow  # never committed: aborted on leaving

    @_mapped
    def _ensure_duplicate_index(self) -> None:
        keys, name = renormalize.DUPLICATE_OF_INDEX
        self._db[schema.RAW].create_index(keys, name=name)  # outside any transaction; idempotent

    @_mapped
    def renormalize_runs(self) -> list[RenormalizeRun]:
        return renormalize.runs(self._db)

    def run_in_transaction(self, work: Callable[[MongoWrites], T]) -> T:
        """Run ``work`` in a unit of work and commit, running it again on a transient conflict.

        ``work`` may be called up to MAX_TRIES times, so it must not have effects outside the
        unit of work it is given. It may commit itself; otherwise it is committed here.
        """
        def attempt() -> T:
            with self.unit_of_work() as uow:
                result = work(uow)
                if not uow.committed:
                    uow.commit()
            return result
        return run_again_on_conflict(attempt, MAX_TRIES, TransientConflict)

    # -- reads

    @_mapped
    def has_mark(self, token: str) -> bool:
        return self._db[schema.MARKS].find_one({"_id": token}, {"_id": 1}) is not None

    @_mapped
    def get_raw(self, raw_id: EventId) -> Optional[RawEvent]:
        return reads.get_raw(self._db, raw_id)

    @_mapped
    def get_normalized(self, normalized_id: EventId) -> Optional[NormalizedEvent]:
        return reads.get_normalized(self._db, "_id", normalized_id)

    @_mapped
    def normalized_for_raw(self, raw_id: EventId) -> Optional[NormalizedEvent]:
        return reads.get_normalized(self._db, "raw_id", raw_id)

    @_mapped
    def normalized_holders(self, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
        return reads.normalized_holders(self._db, hashes)

    @_mapped
    def warned_raw_ids(self, raw_ids: Sequence[EventId]) -> set[EventId]:
        ids = [i for i in raw_ids if isinstance(i, (int, str))]
        return set(self._db[schema.NORMALIZED].distinct(
            "raw_id", {"raw_id": {"$in": ids}, "warnings.0": {"$exists": True}})) if ids else set()

    @_mapped
    def query_raw(self, query: RawQuery, page: Page) -> list[RawEvent]:
        return reads.query_raw(self._db, query, page)

    @_mapped
    def count_raw(self, query: RawQuery) -> int:
        return self._db[schema.RAW].count_documents(reads.raw_filter(query, self._db))

    @_mapped
    def query_normalized(self, query: NormalizedQuery, page: Page) -> list[NormalizedEvent]:
        return reads.query_normalized(self._db, query, page)

    @_mapped
    def count_normalized(self, query: NormalizedQuery) -> int:
        return self._db[schema.NORMALIZED].count_documents(reads.normalized_filter(query))

    @_mapped
    def raw_ids_by_status(self, statuses: Sequence[str], after_id: Optional[EventId], limit: int,
                          updated_before: Optional[str] = None) -> list[RawEvent]:
        return reads.raw_by_status(self._db, statuses, after_id, limit, updated_before)

    @_mapped
    def distinct_values(self, field: str) -> list[str]:
        return reads.distinct_values(self._db, field)

    # -- numbers

    @_mapped
    def stats(self) -> Stats:
        return aggregates.stats(self._db)

    @_mapped
    def per_client(self) -> dict[str, dict[str, int]]:
        return aggregates.per_client(self._db)

    @_mapped
    def aggregates(self, query: AggregateQuery) -> list[AggregateRow]:
        return aggregates.aggregates(self._db, query)

    @_mapped
    def received_per_bucket(self, bucket: str) -> list[tuple[str, int]]:
        return aggregates.received_per_bucket(self._db, bucket)

    @_mapped
    def triage(self, query: TriageQuery) -> list[TriageGroup]:
        return triage.triage(self._db, query)

    # -- mappings

    @_mapped
    def current_mappings(self) -> Optional[tuple[int, str]]:
        doc = self._db[schema.MAPPINGS].find_one({}, sort=[("_id", -1)])
        return (int(doc["_id"]), doc["text"]) if doc else None

    @_mapped
    def save_mappings(self, text: str, saved_at: str, saved_by: Optional[str] = None,
                      note: Optional[str] = None) -> int:
        for _ in range(MAX_TRIES):  # the version is the _id: a concurrent save makes us take the next
            latest = self.current_mappings()
            version = (latest[0] if latest else 0) + 1
            doc: dict[str, Any] = {"_id": version, "text": text, "saved_at": saved_at}
            doc.update({k: v for k, v in (("saved_by", saved_by), ("note", note)) if v is not None})
            try:
                self._db[schema.MAPPINGS].insert_one(doc)
            except DuplicateKeyError:
                continue
            return version
        raise TransientConflict(f"could not save the mappings on {self.description}: "
                                "too many concurrent saves, retry")

    @_mapped
    def mappings_history(self) -> list[MappingVersion]:
        return [_mapping_version(doc) for doc in self._db[schema.MAPPINGS].find({}, sort=[("_id", 1)])]

    @_mapped
    def mappings_version(self, version: int) -> Optional[MappingVersion]:
        doc = self._db[schema.MAPPINGS].find_one({"_id": version})
        return _mapping_version(doc) if doc else None


def _mapping_version(doc: dict[str, Any]) -> MappingVersion:
    return MappingVersion(int(doc["_id"]), doc["text"], doc["saved_at"], doc.get("saved_by"), doc.get("note"))
