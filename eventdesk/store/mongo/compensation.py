"""The unit of work of a standalone server: no transaction, an undo log instead.

Every write lands at once (``atomic = False``: the processor inserts raw events as
``processing`` and settles them afterwards). Leaving without ``commit()`` undoes what this unit
wrote, newest first: raw states restored, receipts taken back, normalized and raw documents it
inserted deleted. That is best effort; whatever a crash leaves behind stays ``processing`` and
is finished or failed by the processor's recovery pass.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from pymongo import UpdateOne
from pymongo.errors import PyMongoError

from eventdesk.core.model import EventId
from eventdesk.store.mongo import schema
from eventdesk.store.mongo.unit_of_work import RAW_STATE, MongoWrites, chunks

log = logging.getLogger("eventdesk")
Undo = Callable[[], None]


class StandaloneUnitOfWork(MongoWrites):
    """Writes that apply immediately and are compensated unless committed."""

    atomic = False

    def __init__(self, db: Any, unique: bool, where: str) -> None:
        super().__init__(db, unique, where, session=None)
        self._undo: list[Undo] = []

    def __enter__(self) -> "StandaloneUnitOfWork":
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self.committed:
            self.compensate()

    def commit(self) -> None:
        self._undo.clear()
        self.committed = True

    def compensate(self) -> None:
        """Undo this unit's writes, newest first; failures are logged, recovery does the rest."""
        while self._undo:
            step = self._undo.pop()
            try:
                step()
            except PyMongoError as exc:
                log.warning("could not undo a write on %s (%s); the recovery pass will finish it",
                            self.where, type(exc).__name__)

    # -- what the undo log records

    def _inserted(self, collection: str, ids: list[int]) -> None:
        if ids:
            self._undo.append(lambda: self._delete(collection, ids))

    def _before_update(self, ids: list[EventId]) -> None:
        before: list[dict] = []
        for chunk in chunks(list(ids)):
            before += self.db[schema.RAW].find({"_id": {"$in": list(chunk)}}, dict.fromkeys(RAW_STATE, 1))
        if before:
            self._undo.append(lambda: self._restore(before))

    def _receipts_added(self, counts: dict[EventId, int]) -> None:
        self._undo.append(lambda: self._take_back(counts))

    # -- the undo steps

    def _delete(self, collection: str, ids: list[int]) -> None:
        for chunk in chunks(ids):
            self.db[collection].delete_many({"_id": {"$in": list(chunk)}})

    def _restore(self, before: list[dict]) -> None:
        ops = [UpdateOne({"_id": doc["_id"]}, {"$set": {k: doc.get(k) for k in RAW_STATE}})
               for doc in before]
        self.db[schema.RAW].bulk_write(ops, ordered=True)

    def _take_back(self, counts: dict[EventId, int]) -> None:
        ops = [UpdateOne({"_id": raw_id}, {"$inc": {"receipts": -n}}) for raw_id, n in counts.items()]
        self.db[schema.RAW].bulk_write(ops, ordered=True)
