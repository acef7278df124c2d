"""Re-normalization on MongoDB: the ``RenormalizeUnit`` of ``core.ports.renormalize``.

The operations are added to both kinds of unit of work: inside a transaction (replica set)
they commit or abort with the chunk; on a standalone server each write records its undo step,
as every standalone write does, so a chunk that fails is compensated. MongoDB keeps no totals
to maintain: stats and aggregates are computed from the documents. Runs (progress and audit)
are documents of ``renormalize_runs``, written in the chunk's unit of work.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from pymongo import ASCENDING

from eventdesk.core.model import EventId, Status
from eventdesk.core.ports import NewNormalized, RawUpdate
from eventdesk.core.ports.renormalize import RenormalizeItem, RenormalizeRun, RenormalizeScope
from eventdesk.store.mongo import reads, schema
from eventdesk.store.mongo.compensation import StandaloneUnitOfWork
from eventdesk.store.mongo.documents import normalized_doc
from eventdesk.store.mongo.transaction import TransactionalUnitOfWork
from eventdesk.store.mongo.unit_of_work import at_edge

RUNS = "renormalize_runs"
DUPLICATE_OF_INDEX = ([("duplicate_of", ASCENDING), ("_id", ASCENDING)], "duplicate_of_id")
_REWRITTEN = ("warnings", "reasons", "mapping_version")


class RenormalizeOperations:
    """Mixed into a Mongo unit of work (``db``, ``session``, and ``_undo`` when standalone)."""

    db: Any
    session: Any
    where: str
    update_raws: Callable[[Sequence[RawUpdate]], None]  # the unit of work's own: keeps its undo log

    def _undoable(self, step: Any) -> None:
        undo = getattr(self, "_undo", None)
        if undo is not None:
            undo.append(step)

    @at_edge
    def scope_chunk(self, scope: RenormalizeScope, after_id: Optional[EventId],
                    limit: int) -> list[RenormalizeItem]:
        query: dict[str, Any] = {"status": {"$in": [Status.NORMALIZED.value, Status.DUPLICATE.value]}}
        received: dict[str, str] = {}
        if scope.received_from is not None:
            received["$gte"] = scope.received_from
        if scope.received_to is not None:
            received["$lt"] = scope.received_to
        if received:
            query["received_at"] = received
        items: list[RenormalizeItem] = []
        cursor_after = after_id or 0
        while len(items) < limit:  # a client filter is on the normalized side: read on until enough
            raws = list(self.db[schema.RAW].find({**query, "_id": {"$gt": cursor_after}},
                                                 {"body": 1, "status": 1, "attempts": 1, "duplicate_of": 1},
                                                 session=self.session).sort("_id", 1).limit(limit))
            if not raws:
                break
            cursor_after = raws[-1]["_id"]
            items += self._items(raws, scope)[:limit - len(items)]
        return items

    def _items(self, raws: list[dict], scope: RenormalizeScope) -> list[RenormalizeItem]:
        owners = reads.normalized_ids(self.db, [r["_id"] for r in raws if r["status"] == "normalized"],
                                      self.session)
        wanted = set(owners.values()) | {r.get("duplicate_of") for r in raws if r["status"] == "duplicate"}
        docs = {d["_id"]: d for d in self.db[schema.NORMALIZED].find(
            {"_id": {"$in": [i for i in wanted if i is not None]}},
            {"normalized_hash": 1, "warnings": 1, "client_id": 1}, session=self.session)}
        items = []
        for raw in raws:
            own = raw["status"] == Status.NORMALIZED.value
            doc = docs.get(owners.get(raw["_id"]) if own else raw.get("duplicate_of"))
            if doc is None or (scope.client_id is not None and doc["client_id"] != scope.client_id):
                continue
            items.append(RenormalizeItem(raw["_id"], raw["body"], raw["status"], raw.get("attempts", 1),
                                         doc["_id"], doc["normalized_hash"],
                                         tuple(doc.get("warnings") or ()) if own else ()))
        return items

    @at_edge
    def first_duplicate(self, normalized_id: EventId) -> Optional[EventId]:
        doc = self.db[schema.RAW].find_one({"duplicate_of": normalized_id, "status": Status.DUPLICATE.value},
                                           {"_id": 1}, sort=[("_id", 1)], session=self.session)
        return doc["_id"] if doc else None

    @at_edge
    def hand_over(self, normalized_id: EventId, raw_id: EventId, now: str) -> None:
        raw = self.db[schema.RAW].find_one({"_id": raw_id}, {"attempts": 1}, session=self.session)
        self.update_raws([RawUpdate(raw_id, Status.NORMALIZED.value, raw.get("attempts", 1), None, None, now)])
        before = self.db[schema.NORMALIZED].find_one({"_id": normalized_id}, {"raw_id": 1}, session=self.session)
        self.db[schema.NORMALIZED].update_one({"_id": normalized_id}, {"$set": {"raw_id": raw_id}},
                                              session=self.session)
        self._undoable(lambda: self.db[schema.NORMALIZED].update_one(
            {"_id": normalized_id}, {"$set": {"raw_id": before["raw_id"]}}))

    @at_edge
    def delete_normalized(self, normalized_id: EventId) -> None:
        doc = self.db[schema.NORMALIZED].find_one({"_id": normalized_id}, session=self.session)
        if doc is None:
            return
        self.db[schema.NORMALIZED].delete_one({"_id": normalized_id}, session=self.session)
        self._undoable(lambda: self.db[schema.NORMALIZED].insert_one(doc))

    @at_edge
    def rewrite_normalized(self, normalized_id: EventId, row: NewNormalized) -> None:
        before = self.db[schema.NORMALIZED].find_one({"_id": normalized_id}, dict.fromkeys(_REWRITTEN, 1),
                                                     session=self.session)
        fresh = normalized_doc(row, 0)
        self.db[schema.NORMALIZED].update_one({"_id": normalized_id},
                                              {"$set": {k: fresh[k] for k in _REWRITTEN}}, session=self.session)
        if before is not None:
            self._undoable(lambda: self.db[schema.NORMALIZED].update_one(
                {"_id": normalized_id}, {"$set": {k: before.get(k) for k in _REWRITTEN}}))

    @at_edge
    def latest_run(self) -> Optional[RenormalizeRun]:
        doc = self.db[RUNS].find_one({}, sort=[("_id", -1)], session=self.session)
        return run_of(doc) if doc else None

    @at_edge
    def save_run(self, run: RenormalizeRun) -> None:
        before = self.db[RUNS].find_one({"_id": run.run_id}, session=self.session)
        doc = run.to_json()
        doc["_id"] = doc.pop("run_id")
        doc["counts"] = dict(run.counts)
        self.db[RUNS].replace_one({"_id": run.run_id}, doc, upsert=True, session=self.session)
        if before is None:
            self._undoable(lambda: self.db[RUNS].delete_one({"_id": run.run_id}))
        else:
            self._undoable(lambda: self.db[RUNS].replace_one({"_id": run.run_id}, before))


class TransactionalRenormalizeUnit(RenormalizeOperations, TransactionalUnitOfWork):
    pass


class StandaloneRenormalizeUnit(RenormalizeOperations, StandaloneUnitOfWork):
    pass


def run_of(doc: dict[str, Any]) -> RenormalizeRun:
    return RenormalizeRun(doc["_id"], doc["mapping_version"], RenormalizeScope.from_json(doc["scope"]),
                          doc["started_at"], doc.get("started_by"), doc["state"], doc.get("last_raw_id"),
                          doc.get("finished_at"), dict(doc["counts"]))


def runs(db: Any) -> list[RenormalizeRun]:
    return [run_of(doc) for doc in db[RUNS].find({}, sort=[("_id", 1)])]
