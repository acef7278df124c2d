"""MongoStore without transactions (mongomock): compensation, recovery, negative controls, edges."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fakes.mongo import mongomock_client
from pymongo.errors import BulkWriteError

from eventdesk.app import App, shipped_mappings
from eventdesk.core.aggregation import amount_units
from eventdesk.core.errors import StoreError
from eventdesk.core.faults import FaultPoint
from eventdesk.core.ports import NewRaw
from eventdesk.core.queries import AggregateQuery, Page, RawQuery
from eventdesk.store.mongo import MongoStore, aggregates
from eventdesk.store.mongo.compensation import StandaloneUnitOfWork
from eventdesk.store.mongo.errors import TransientConflict
from eventdesk.store.mongo.unit_of_work import MongoWrites

SEED = '{"source":"client_A","payload":{"value":"sales","price":"1200","date":"2024/01/01"}}'
SEED_OTHER_FORMAT = ('{"source":"client_A","payload":{"metric":" Sales ","amount":1200,'
                     '"timestamp":"2024-01-01T00:00:00Z"}}')


def make_app(unique: bool = True) -> App:
    store = MongoStore("mongodb://localhost/unit", client=mongomock_client(), unique_indexes=unique)
    mappings = shipped_mappings()
    return App(store, mappings, store.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z"))


@pytest.fixture
def app() -> App:
    return make_app()


def test_rollback_takes_back_receipts_and_restores_the_raw_state(app):
    first = app.submit(SEED, FaultPoint.MID_TRANSACTION)
    second = app.submit(SEED, FaultPoint.MID_TRANSACTION)
    assert (first.status, second.status) == ("failed", "failed")
    raw = app.store.get_raw(first.raw_id)
    assert (raw.status, raw.attempts, raw.receipts) == ("failed", 2, 2)
    assert app.store.normalized_for_raw(first.raw_id) is None
    assert app.store.stats().normalized == 0


def test_ids_are_integers_and_a_rolled_back_range_leaves_only_gaps(app):
    failed = app.submit(SEED, FaultPoint.MID_TRANSACTION)
    accepted = app.submit(SEED_OTHER_FORMAT)
    assert isinstance(failed.raw_id, int) and accepted.raw_id > failed.raw_id


def test_recovery_finishes_what_a_crash_left_processing(app, monkeypatch):
    def crash(self: Any, updates: Any) -> None:
        raise SystemExit("power cut between the normalized insert and the raw update")

    monkeypatch.setattr(StandaloneUnitOfWork, "update_raws", crash)
    monkeypatch.setattr(StandaloneUnitOfWork, "compensate", lambda self: None)  # a crash undoes nothing
    with pytest.raises(SystemExit):
        app.submit(SEED)
    monkeypatch.undo()
    (stuck,) = app.store.query_raw(RawQuery(statuses=("processing",)), Page())
    summary = app.processor.recover()
    assert (summary.selected, summary.normalized) == (1, 1)
    assert app.store.get_raw(stuck.id).status == "normalized"
    assert app.store.stats().normalized == 1


@pytest.mark.parametrize("unique, raws, normalized", [(True, 1, 1), (False, 2, 2)])
def test_negative_control_without_unique_indexes_facts_are_counted_twice(unique, raws, normalized):
    app = make_app(unique)
    app.submit(SEED)
    app.submit(SEED)
    stats = app.store.stats()
    assert stats.raw_total == raws
    app.submit(SEED_OTHER_FORMAT)
    assert app.store.stats().normalized == normalized + (0 if unique else 1)


class RacingCollection:
    """A bulk upsert that loses a race on one hash, as a server reports it outside a transaction."""

    def __init__(self, error: dict) -> None:
        self.error = error

    def bulk_write(self, ops: Any, ordered: bool, session: Any) -> Any:
        raise BulkWriteError({"writeErrors": [self.error], "upserted": [{"index": 0, "_id": 7}],
                              "writeConcernErrors": []})

    def find_one_and_update(self, *args: Any, **kwargs: Any) -> dict:
        return {"_id": "raw_events", "last": 8}


def raws(n: int) -> list[NewRaw]:
    return [NewRaw("c", "{}", "processing", f"{i:064x}", None, 1, "2024-01-01T00:00:00Z") for i in range(n)]


def test_a_concurrent_duplicate_key_outside_a_transaction_means_exists():
    db = {"raw_events": RacingCollection({"index": 1, "code": 11000, "errmsg": "dup"}),
          "counters": RacingCollection({})}
    assert MongoWrites(db, True, "here").insert_raws(raws(2)) == [7, None]


def test_a_duplicate_key_inside_a_transaction_is_a_transient_conflict():
    db = {"raw_events": RacingCollection({"index": 1, "code": 11000, "errmsg": "dup"}),
          "counters": RacingCollection({})}
    with pytest.raises(TransientConflict, match="retry"):
        MongoWrites(db, True, "here", session=object()).insert_raws(raws(2))


def test_other_bulk_errors_are_store_errors():
    db = {"raw_events": RacingCollection({"index": 1, "code": 121, "errmsg": "validation"}),
          "counters": RacingCollection({})}
    with pytest.raises(StoreError):
        MongoWrites(db, True, "here").insert_raws(raws(2))


def test_hostile_page_cursors_are_refused(app):
    with pytest.raises(ValueError):
        app.store.query_raw(RawQuery(), Page("source", False, ({"$gt": ""}, 1)))
    with pytest.raises(ValueError):
        app.store.query_raw(RawQuery(), Page("body; drop", False))


class OverflowingNormalized:
    """A server whose int64 day sum overflowed to a double for one group."""

    def __init__(self, docs: list[dict]) -> None:
        self.docs = docs

    def aggregate(self, pipeline: Any) -> list[dict]:
        return [{"_id": {"client": "c", "metric": "m", "day": 0.0}, "n": len(self.docs),
                 "units": len(self.docs), "exotic": 0, "sum": 1.8e19, "low": 1, "high": 2}]

    def find(self, query: Any, fields: Any = None) -> list[dict]:
        return self.docs


def test_an_overflowed_day_sum_is_recounted_exactly():
    big = Decimal("900000000.0001")
    docs = [{"client_id": "c", "metric": "m", "ts": 5, "amount": str(big), "amount_units": amount_units(big)}
            for _ in range(3)]
    (row,) = aggregates.aggregates({"normalized_events": OverflowingNormalized(docs)}, AggregateQuery())
    assert (row.count, row.sum, row.min, row.max) == (3, "2700000000.0003", str(big), str(big))
