"""The writes of one MongoDB unit of work, shared by the transactional and the standalone kind.

Bulk inserts let the unique indexes decide: each row is an upsert keyed on its hash with
``$setOnInsert``, so an existing hash is left alone and reported back as None. (Inside a
transaction a plain insert's duplicate-key error would abort the whole transaction.) Ids come
from the counters, reserved outside any transaction.
"""
from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any, Callable, Optional, Sequence, TypeVar

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, PyMongoError

from eventdesk.core.model import EventId
from eventdesk.core.ports import NewNormalized, NewRaw, RawRef, RawUpdate
from eventdesk.store.mongo import reads, schema
from eventdesk.store.mongo.documents import normalized_doc, raw_doc, reasons_doc
from eventdesk.store.mongo.errors import TransientConflict, duplicate_indexes, translate

T = TypeVar("T")
CHUNK = 1000  # hashes per $in query
RAW_STATE = ("status", "attempts", "error", "duplicate_of", "updated_at", "reasons")


def at_edge(method: Callable[..., T]) -> Callable[..., T]:
    """Turn pymongo errors raised by a unit-of-work method into eventdesk store errors."""
    @functools.wraps(method)
    def wrapper(self: "MongoWrites", *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except PyMongoError as exc:
            raise translate(exc, self.where) from exc
    return wrapper


def chunks(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    return [items[start:start + size] for start in range(0, len(items), size)]


class MongoWrites:
    """The UnitOfWork operations; ``session`` is None where the server has no transactions."""

    atomic = False

    def __init__(self, db: Any, unique: bool, where: str, session: Any = None) -> None:
        self.db = db
        self.unique = unique
        self.where = where
        self.session = session
        self.committed = False

    # -- hooks for the standalone kind's undo log

    def _inserted(self, collection: str, ids: list[int]) -> None:
        pass

    def _before_update(self, ids: list[EventId]) -> None:
        pass

    def _receipts_added(self, counts: dict[EventId, int]) -> None:
        pass

    # -- the port's operations

    @at_edge
    def insert_raws(self, rows: Sequence[NewRaw]) -> list[Optional[EventId]]:
        if not rows:
            return []
        first = schema.allocate_ids(self.db, schema.RAW, len(rows))
        docs = [raw_doc(row, first + i) for i, row in enumerate(rows)]
        return self._insert(schema.RAW, "content_hash", docs)

    @at_edge
    def insert_normalized(self, rows: Sequence[NewNormalized]) -> list[Optional[EventId]]:
        if not rows:
            return []
        first = schema.allocate_ids(self.db, schema.NORMALIZED, len(rows))
        docs = [normalized_doc(row, first + i) for i, row in enumerate(rows)]
        return self._insert(schema.NORMALIZED, "normalized_hash", docs)

    @at_edge
    def find_raws(self, content_hashes: Sequence[str]) -> dict[str, RawRef]:
        docs: list[dict] = []
        for chunk in chunks([h.lower() for h in content_hashes]):
            docs += self.db[schema.RAW].find(
                {"content_hash": {"$in": list(chunk)}},
                {"content_hash": 1, "status": 1, "attempts": 1, "duplicate_of": 1},
                session=self.session).sort("_id", 1)
        owners = reads.normalized_ids(self.db, [d["_id"] for d in docs], self.session)
        found: dict[str, RawRef] = {}
        for doc in docs:
            found.setdefault(doc["content_hash"], RawRef(doc["_id"], doc["status"], doc.get("attempts", 0),
                                                         owners.get(doc["_id"]), doc.get("duplicate_of")))
        return found

    @at_edge
    def find_normalized(self, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
        found: dict[str, tuple[EventId, EventId]] = {}
        for chunk in chunks([h.lower() for h in hashes]):
            cursor = self.db[schema.NORMALIZED].find(
                {"normalized_hash": {"$in": list(chunk)}}, {"normalized_hash": 1, "raw_id": 1},
                session=self.session).sort("_id", 1)
            for doc in cursor:
                found.setdefault(doc["normalized_hash"], (doc["_id"], doc["raw_id"]))
        return found

    @at_edge
    def update_raws(self, updates: Sequence[RawUpdate]) -> None:
        if not updates:
            return
        self._before_update([u.id for u in updates])
        ops = [UpdateOne({"_id": u.id}, {"$set": {
            "status": u.status, "attempts": u.attempts, "error": u.error,
            "duplicate_of": u.duplicate_of, "updated_at": u.updated_at,
            "reasons": reasons_doc(u.reasons)}}) for u in updates]
        self.db[schema.RAW].bulk_write(ops, ordered=True, session=self.session)

    @at_edge
    def add_receipts(self, counts: dict[EventId, int]) -> None:
        if not counts:
            return
        ops = [UpdateOne({"_id": raw_id}, {"$inc": {"receipts": n}}) for raw_id, n in counts.items()]
        self.db[schema.RAW].bulk_write(ops, ordered=True, session=self.session)
        self._receipts_added(dict(counts))

    @at_edge
    def mark(self, token: str) -> None:
        self.db[schema.MARKS].insert_one({"_id": token, "at": datetime.now(timezone.utc)},
                                         session=self.session)
        self._inserted(schema.MARKS, [token])  # type: ignore[list-item]

    def commit(self) -> None:
        self.committed = True

    # -- inserts decided by the unique index

    def _insert(self, collection: str, key: str, docs: list[dict]) -> list[Optional[EventId]]:
        if not self.unique:  # negative control: nothing refuses a second copy
            self.db[collection].insert_many(docs, ordered=True, session=self.session)
            return self._record(collection, {i: d["_id"] for i, d in enumerate(docs)}, len(docs))
        ops = [UpdateOne({key: doc[key]}, {"$setOnInsert": {k: v for k, v in doc.items() if k != key}},
                         upsert=True) for doc in docs]
        try:
            result = self.db[collection].bulk_write(ops, ordered=False, session=self.session)
        except BulkWriteError as exc:
            return self._record_despite(collection, exc, len(docs))
        return self._record(collection, result.upserted_ids, len(docs))

    def _record(self, collection: str, upserted: dict[int, Any], count: int) -> list[Optional[EventId]]:
        ids: list[Optional[EventId]] = [upserted.get(i) for i in range(count)]
        self._inserted(collection, [i for i in ids if isinstance(i, int)])
        return ids

    def _record_despite(self, collection: str, exc: BulkWriteError, count: int) -> list[Optional[EventId]]:
        """A bulk upsert that lost a race on a hash: outside a transaction the loser 'exists';
        inside one the transaction is spoilt and must run again."""
        upserted = {int(u["index"]): u["_id"] for u in (exc.details or {}).get("upserted") or []}
        ids = self._record(collection, upserted, count)  # the undo log must know them either way
        duplicates, other = duplicate_indexes(exc)
        if other:
            raise exc
        if self.session is not None and duplicates:  # a key committed after our snapshot: run again
            raise TransientConflict(f"transient conflict on the MongoDB store {self.where}, retry "
                                    "(a concurrent transaction stored the same hash)") from exc
        return ids
