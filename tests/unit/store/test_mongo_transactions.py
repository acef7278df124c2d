"""MongoStore on a replica set: transactions, the retry policy, capability detection, redaction.

The replica set is ``FakeReplicaSet`` (tests/fakes/mongo.py): ``hello`` says replica
set (or mongos, or standalone, as told), sessions roll back by restoring a snapshot, and faults
are scripted per operation: a labelled error raised a number of times, or a commit that lands
but whose reply is lost.
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from typing import Any

import pytest
from fakes.mongo import FakeReplicaSet, mongomock_client
from pymongo.errors import OperationFailure, PyMongoError

from eventdesk.app import App, shipped_mappings
from eventdesk.core.errors import StoreBug, StoreUnavailable
from eventdesk.core.model import Outcome
from eventdesk.core.ports import NewRaw
from eventdesk.core.processor import CONFLICT_RETRIES
from eventdesk.store.mongo import MongoStore
from eventdesk.store.mongo.capabilities import from_hello
from eventdesk.store.mongo.errors import TransientConflict, redact, scrub, translate
from eventdesk.store.mongo.store import build_client

SEED = '{"source":"client_A","payload":{"value":"sales","price":"1200","date":"2024/01/01"}}'


@pytest.fixture
def client() -> FakeReplicaSet:
    return FakeReplicaSet()


@pytest.fixture
def store(client: FakeReplicaSet) -> MongoStore:
    return MongoStore("mongodb://app:secret@db.example:27017/eventdesk", client=client)


@pytest.fixture
def app(store: MongoStore) -> App:
    mappings = shipped_mappings()
    return App(store, mappings, store.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z"))


def new_raw(digest: str = "ab" * 32) -> NewRaw:
    return NewRaw("client_A", "{}", "normalized", digest, None, 1, "2024-01-01T00:00:00Z")


def test_a_replica_set_runs_each_unit_of_work_as_a_snapshot_majority_transaction(store, client):
    assert store.transactions and store.notice == ""
    with store.unit_of_work() as uow:
        assert uow.atomic
        read_concern, write_concern = uow.session.concerns
        uow.commit()
    assert (read_concern.level, write_concern.document) == ("snapshot", {"w": "majority"})


def test_transient_error_is_retried_by_the_processor_and_counts_once(app, client):
    client.fail("bulk_write", "TransientTransactionError")
    accepted = app.submit(SEED)
    assert accepted.outcome is Outcome.ACCEPTED
    assert client.aborts == 1
    assert (app.store.stats().raw_total, app.store.stats().normalized) == (1, 1)


def test_transient_errors_beyond_the_retry_budget_fail_then_a_resend_counts_once(app, client):
    client.fail("bulk_write", "TransientTransactionError", times=CONFLICT_RETRIES)
    failed = app.submit(SEED)
    assert failed.outcome is Outcome.FAILED
    assert "transient conflict" in failed.error and "retry" in failed.error
    assert client.aborts == CONFLICT_RETRIES and app.store.stats().normalized == 0
    retried = app.submit(SEED)
    assert retried.outcome is Outcome.ACCEPTED and retried.raw_id == failed.raw_id
    assert (app.store.stats().raw_total, app.store.stats().normalized) == (1, 1)


@pytest.mark.parametrize("operation", ["bulk_write", "commit"])
def test_run_in_transaction_runs_the_work_again_after_a_transient_error(store, client, operation):
    client.fail(operation, "TransientTransactionError")
    calls = []

    def work(uow: Any) -> Any:
        calls.append(1)
        return uow.insert_raws([new_raw()])

    assert store.run_in_transaction(work)[0] is not None
    assert len(calls) == 2 and store.stats().raw_total == 1


def test_run_in_transaction_gives_up_after_bounded_tries(store, client):
    client.fail("bulk_write", "TransientTransactionError", times=10)
    with pytest.raises(TransientConflict, match="transient conflict"):
        store.run_in_transaction(lambda uow: uow.insert_raws([new_raw()]))
    assert store.stats().raw_total == 0


def test_unknown_commit_result_on_a_commit_that_landed_is_retried_without_double_counting(app, client):
    client.fail("commit", "UnknownTransactionCommitResult", landed=True)
    result = app.submit(SEED)
    assert result.outcome is Outcome.ACCEPTED and client.commit_calls == 2
    stats = app.store.stats()
    assert (stats.raw_total, stats.normalized) == (1, 1)
    assert app.store.get_raw(result.raw_id).status == "normalized"


def test_a_commit_never_confirmed_is_reported_as_unavailable_and_safe_to_resend(app, client):
    client.fail("commit", "UnknownTransactionCommitResult", times=5)
    result = app.submit(SEED)
    assert result.outcome is Outcome.FAILED and "did not confirm the commit" in result.error
    assert client.commit_calls == 5 + 1  # five tries, then the failure record's own commit


def test_a_lost_commit_reply_is_settled_by_the_commit_mark(app, client):
    client.fail("commit", "UnknownTransactionCommitResult", times=5, landed=True)
    result = app.submit(SEED)
    assert result.outcome is Outcome.ACCEPTED  # its mark is there: the commit landed
    again = app.submit(SEED)
    assert again.outcome is Outcome.DUPLICATE and again.raw_id == result.raw_id
    assert app.store.get_raw(result.raw_id).receipts == 2


@pytest.mark.parametrize("hello, kind, transactions", [
    ({"setName": "rs0", "isWritablePrimary": True}, "replica_set", True),
    ({"msg": "isdbgrid", "isWritablePrimary": True}, "sharded", True),
    ({"isWritablePrimary": True}, "standalone", False),
    ({}, "standalone", False),
])
def test_capabilities_come_from_hello(hello, kind, transactions):
    assert (from_hello(hello).kind, from_hello(hello).transactions) == (kind, transactions)
    store = MongoStore("mongodb://localhost/x", client=FakeReplicaSet(hello))
    assert store.transactions is transactions
    assert ("transactions are off" in store.notice) is not transactions


def test_standalone_logs_a_one_line_notice_and_does_not_use_sessions(caplog):
    client = FakeReplicaSet({"isWritablePrimary": True})
    with caplog.at_level("WARNING", logger="eventdesk"):
        store = MongoStore("mongodb://localhost/x", client=client)
    assert [r.getMessage().count("\n") for r in caplog.records] == [0]
    assert "transactions are off" in caplog.records[0].getMessage()
    with store.unit_of_work() as uow:
        assert not uow.atomic and uow.session is None


def test_mongomock_counts_as_standalone():
    store = MongoStore("mongodb://localhost/x", client=mongomock_client())
    assert store.transactions is False and store.capabilities.kind == "standalone"


def test_redaction_keeps_hosts_and_database_only(store):
    uri = "mongodb://app:s3cret@h1:27017,h2:27018/sales?authSource=admin&tls=true"
    assert redact(uri) == "mongodb://h1:27017,h2:27018/sales"
    assert redact("mongodb+srv://app:s3cret@cluster0.example.net/") == "mongodb+srv://cluster0.example.net/"
    assert store.description == "mongodb://db.example:27017/eventdesk"
    assert "secret" not in scrub("failed for mongodb://app:secret@db.example:27017/x")


def test_errors_are_mapped_without_credentials():
    where = "mongodb://db.example:27017/eventdesk"
    auth = translate(OperationFailure("Authentication failed.", 18), where)
    assert isinstance(auth, StoreUnavailable) and "authentication failed" in str(auth)
    bug = translate(OperationFailure("bad thing near mongodb://app:secret@db.example", 2), where)
    assert isinstance(bug, StoreBug) and "secret" not in str(bug)
    assert isinstance(translate(PyMongoError("x", error_labels=["TransientTransactionError"]), where),
                      TransientConflict)


def test_an_unreachable_server_is_unavailable_within_seconds_without_credentials():
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        MongoStore("mongodb://user:secret@127.0.0.1:1/?serverSelectionTimeoutMS=500")
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "cannot be reached" in message and "127.0.0.1:1" in message
    assert "user:secret" not in message and "secret" not in message


@pytest.mark.parametrize("query, seconds", [("", 3.0), ("?serverSelectionTimeoutMS=500", 0.5),
                                            ("?serverSelectionTimeoutMS=abc", 3.0)])
def test_a_timeout_in_the_uri_wins_unless_pymongo_would_ignore_it(query, seconds):
    with pytest.warns(UserWarning) if "abc" in query else nullcontext():
        client = build_client(f"mongodb://127.0.0.1:1/{query}", 3000)
    try:
        assert client.options.server_selection_timeout == seconds
    finally:
        client.close()
