"""Test support: mongomock patched for eventdesk's bulk writes, and a fake replica set.

``mongomock_client()``: an in-memory standalone server.

mongomock 4.3 has two faults that matter here, both patched (once, idempotently):
- pymongo 4.10 and later pass ``sort=`` to a bulk builder's ``add_update``, which mongomock
  does not accept: every ``bulk_write`` of ``UpdateOne`` fails with a TypeError. The patch drops
  the argument when it is None (eventdesk never sorts a single update).
- a bulk result's ``upserted`` entries are numbered 0, 1, 2... instead of carrying the index of
  the operation that upserted, so ``upserted_ids`` names the wrong rows. The patch records the
  operation's index.

mongomock also sums integers without limit, where a real server turns an int64 ``$sum`` that
overflows into a double: patched to do the same, so that tests meet what production meets.

``FakeReplicaSet``: a client that answers ``hello`` like a replica set (or as told), keeps its
documents in mongomock, and gives sessions whose transactions roll back by restoring a snapshot
of the event collections. Faults are scripted per operation (``fail``): a labelled error raised
a number of times, optionally after the commit landed (a lost reply).
mongomock is a test dependency: this module lives in tests/fakes, never in the package.
"""
from __future__ import annotations

import copy
import functools
import inspect
from typing import Any, Callable

from pymongo.errors import OperationFailure

_AGGREGATE = "_BulkOperationBuilder__aggregate_operation_result"
TRANSACTIONAL = ("raw_events", "normalized_events", "commit_marks", "renormalize_runs")  # counters live outside


def mongomock_client() -> Any:
    """A fresh, empty in-memory mongomock client."""
    import mongomock
    import mongomock.collection

    builder = mongomock.collection.BulkOperationBuilder
    if not getattr(builder, "_eventdesk_patched", False):
        _patch_add_update(builder)
        _patch_upserted_index(builder)
        _patch_int64_sum()
        builder._eventdesk_patched = True  # type: ignore[attr-defined]
    return mongomock.MongoClient()


def _patch_int64_sum() -> None:
    import mongomock.aggregate as aggregate

    operators = aggregate._GROUPING_OPERATOR_MAP
    original = operators["$sum"]

    def int64_sum(values: Any) -> Any:
        total = original(values)
        if isinstance(total, int) and not isinstance(total, bool) and not -2**63 <= total < 2**63:
            return float(total)  # what MongoDB answers when int64 overflows
        return total

    operators["$sum"] = int64_sum


def _patch_add_update(builder: Any) -> None:
    original = builder.add_update
    if "sort" in inspect.signature(original).parameters:
        return

    def add_update(self: Any, selector: Any, doc: Any, multi: bool = False, upsert: bool = False,
                   sort: Any = None, **options: Any) -> Any:
        if sort is not None:
            raise NotImplementedError("mongomock cannot sort a single update")
        return original(self, selector, doc, multi, upsert, **options)

    builder.add_update = add_update


def _patch_upserted_index(builder: Any) -> None:
    execute, aggregate = builder.execute, getattr(builder, _AGGREGATE)

    def indexed(self: Any, index: int, run: Callable[[], Any]) -> Callable[[], Any]:
        @functools.wraps(run)  # keeps __name__: mongomock looks at exec_insert / exec_update
        def call() -> Any:
            self._eventdesk_index = index
            return run()
        return call

    def patched_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.executors = [indexed(self, i, run) for i, run in enumerate(self.executors)]
        return execute(self, *args, **kwargs)

    def patched_aggregate(self: Any, total: dict, key: str, value: Any) -> None:
        if key == "upserted":
            total["upserted"].append({"index": self._eventdesk_index, "_id": value})
            return
        aggregate(self, total, key, value)

    builder.execute = patched_execute
    setattr(builder, _AGGREGATE, patched_aggregate)


class FakeSession:
    def __init__(self, client: "FakeReplicaSet") -> None:
        self.client = client
        self.snapshot: list[tuple[Any, list[dict]]] | None = None
        self.concerns: tuple[Any, Any] | None = None

    def start_transaction(self, read_concern: Any = None, write_concern: Any = None) -> None:
        self.concerns = (read_concern, write_concern)
        self.snapshot = [(db[name], copy.deepcopy(list(db[name].find())))
                         for db in self.client.databases.values() for name in TRANSACTIONAL]

    def commit_transaction(self) -> None:
        self.client.commit_calls += 1
        if self.snapshot is None:
            return  # committed before: the server answers ok and applies nothing again
        self.client.maybe_fail("commit", landed=self._land)
        self.snapshot = None

    def _land(self) -> None:
        self.snapshot = None

    def abort_transaction(self) -> None:
        if self.snapshot is not None:
            for collection, docs in self.snapshot:
                collection.delete_many({})
                if docs:
                    collection.insert_many(docs)
            self.client.aborts += 1
        self.snapshot = None

    def end_session(self) -> None:
        self.abort_transaction()


class FakeCollection:
    def __init__(self, client: "FakeReplicaSet", inner: Any) -> None:
        self._client, self._inner = client, inner

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        def call(*args: Any, session: Any = None, **kwargs: Any) -> Any:
            if session is not None:  # faults strike operations inside transactions
                self._client.maybe_fail(name)
            return method(*args, **kwargs)
        return call


class FakeDatabase:
    def __init__(self, client: "FakeReplicaSet", inner: Any) -> None:
        self._client, self._inner, self.name = client, inner, inner.name

    def __getitem__(self, name: str) -> FakeCollection:
        return FakeCollection(self._client, self._inner[name])


class FakeAdmin:
    def __init__(self, hello: dict) -> None:
        self.hello = hello

    def command(self, name: str) -> dict:
        return dict(self.hello, ok=1.0) if name in ("hello", "ping") else {"ok": 1.0}


class FakeReplicaSet:
    """A client for MongoStore(..., client=FakeReplicaSet()): a replica set unless told otherwise."""

    def __init__(self, hello: dict | None = None) -> None:
        self._inner = mongomock_client()
        self.admin = FakeAdmin({"setName": "rs0", "isWritablePrimary": True} if hello is None else hello)
        self.databases: dict[str, Any] = {}
        self.faults: dict[str, list[tuple[str, bool]]] = {}
        self.commit_calls = self.aborts = 0

    def fail(self, operation: str, label: str, times: int = 1, landed: bool = False) -> None:
        """Make the next ``times`` calls of ``operation`` ("commit", "bulk_write", ...) fail."""
        self.faults.setdefault(operation, []).extend([(label, landed)] * times)

    def maybe_fail(self, operation: str, landed: Callable[[], None] | None = None) -> None:
        planned = self.faults.get(operation)
        if planned:
            label, lands = planned.pop(0)
            if lands and landed is not None:
                landed()
            code = 112 if label == "TransientTransactionError" else 50  # WriteConflict, MaxTimeMSExpired
            raise OperationFailure(f"injected {label}", code, {"errorLabels": [label]})

    def __getitem__(self, name: str) -> FakeDatabase:
        inner = self.databases.setdefault(name, self._inner[name])
        return FakeDatabase(self, inner)

    def start_session(self) -> FakeSession:
        return FakeSession(self)

    def drop_database(self, name: str) -> None:
        self.databases.pop(name, None)
        self._inner.drop_database(name)

    def close(self) -> None:
        pass
