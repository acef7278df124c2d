"""The stores every contract test runs against: the in-memory fake (tests/fakes/memory_store.py),
SQLite, MongoDB on mongomock (standalone), on a fake replica set (transactions, on mongomock
documents), and a real MongoDB. An adapter is done when it passes them all."""
from __future__ import annotations

import os
import uuid

import pytest

from eventdesk.app import App, shipped_mappings

PARAMS = ["memory", "sqlite", "mongomock", "mongo_replset_fake", "mongo_real"]


def make_store(kind: str, tmp_path, **options):
    if kind == "memory":
        from fakes.memory_store import MemoryStore
        return MemoryStore(**options)
    if kind == "sqlite":
        from eventdesk.store.sqlite import SqliteStore
        return SqliteStore(str(tmp_path / "contract.db"), **options)
    if kind == "mongomock":
        pytest.importorskip("mongomock")
        from fakes.mongo import mongomock_client

        from eventdesk.store.mongo import MongoStore
        return MongoStore("mongodb://localhost/eventdesk_contract", client=mongomock_client(), **options)
    if kind == "mongo_replset_fake":
        pytest.importorskip("mongomock")
        from fakes.mongo import FakeReplicaSet

        from eventdesk.store.mongo import MongoStore
        return MongoStore("mongodb://localhost/eventdesk_contract", client=FakeReplicaSet(), **options)
    uri = os.environ.get("EVENTDESK_TEST_MONGODB_URI")
    if not uri:
        pytest.skip("set EVENTDESK_TEST_MONGODB_URI to run the contract suite against a real MongoDB")
    from eventdesk.store.mongo import MongoStore
    return MongoStore(uri, database=f"eventdesk_test_{uuid.uuid4().hex[:8]}", **options)


@pytest.fixture(params=PARAMS)
def store(request, tmp_path):
    store = make_store(request.param, tmp_path)
    yield store
    if request.param == "mongo_real":
        store.drop_database()  # type: ignore[attr-defined]
    store.close()


@pytest.fixture
def app(store):
    mappings = shipped_mappings()
    version = store.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z")
    return App(store, mappings, version)
