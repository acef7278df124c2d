"""Property (issue 13): after any mapping change, re-normalizing (in chunks, interrupted or not)
leaves exactly what a fresh ingest of the same raw events with the new mapping leaves: stats,
aggregates, the set of normalized facts, and the fact each raw event leads to."""
from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path

import pytest
from fakes.memory_store import MemoryStore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from renormalize_support import holdings, mappings_of

from eventdesk.app import App
from eventdesk.app import renormalize as service
from eventdesk.app.renormalize import scope_of
from eventdesk.store.sqlite import SqliteStore

KEYS = ["amount", "price", "betrag"]
TIME_KEYS = ["date", "zeit"]
VALUES = ["5", "7", "1,5", "1.5", "x"]
DATES = ["2024-01-02", "02.01.2024", "2024-01-03T10:00:00+02:00", "soon"]

# complete events (metric, amount and time) collide often: semantic duplicates come and go
payloads = st.fixed_dictionaries(
    {"kind": st.just("a"), "amount": st.sampled_from(VALUES), "date": st.sampled_from(DATES),
     "n": st.integers(0, 3)},
    optional={"price": st.sampled_from(VALUES), "betrag": st.sampled_from(VALUES), "zeit": st.sampled_from(DATES)})
events = st.lists(st.tuples(st.sampled_from(["client_A", "client_B"]), payloads), min_size=1, max_size=16)


@st.composite
def documents(draw):
    clients = {}
    for client in ("client_A", "client_B"):
        if draw(st.booleans()):
            clients[client] = {
                "fields": {"amount": draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True)),
                           "timestamp": draw(st.lists(st.sampled_from(TIME_KEYS), min_size=1, max_size=2,
                                                      unique=True)),
                           "metric": ["kind"]},
                "dayfirst": draw(st.booleans()), "decimal_comma": draw(st.booleans())}
    return {"clients": clients}


def lines_of(drawn) -> list[str]:
    return [json.dumps({"source": client, "payload": payload}) for client, payload in drawn]


def app_over(store, document) -> App:
    mappings = mappings_of(document)
    return App(store, mappings, store.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z"))


def ingested(store, lines, document) -> App:
    app = app_over(store, document)
    for line in lines:
        app.submit(line)
    return app


def check(make_store, drawn, old, new, chunk, stop_after) -> None:
    lines = lines_of(drawn)
    expected = holdings(ingested(MemoryStore(), lines, new).store)
    app = ingested(make_store(), lines, old)
    app.set_mappings(mappings_of(new))
    dry = service.renormalize(app, scope_of(), dry_run=True, chunk_size=chunk)
    summary = None
    if stop_after is not None:  # cancelled after some chunks, then run again: one run's result
        cancel, seen = threading.Event(), []
        summary = service.renormalize(app, scope_of(), cancel=cancel, chunk_size=chunk,
                                      progress=lambda c: (seen.append(c), len(seen) >= stop_after and cancel.set()))
    if summary is None or summary.cancelled:
        summary = service.renormalize(app, scope_of(), chunk_size=chunk)
        assert summary.resumed == (stop_after is not None)
    assert holdings(app.store) == expected
    assert summary.to_json() == dry.to_json()
    assert summary.counts["examined"] == summary.counts["changed"] + summary.counts["unchanged"]
    app.close()


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(events, documents(), documents(), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)))
def test_renormalize_equals_fresh_ingest_on_the_memory_store(drawn, old, new, chunk, stop_after):
    check(MemoryStore, drawn, old, new, chunk, stop_after)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events, documents(), documents(), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)))
def test_renormalize_equals_fresh_ingest_on_sqlite(drawn, old, new, chunk, stop_after):
    with tempfile.TemporaryDirectory() as folder:
        check(lambda: SqliteStore(str(Path(folder) / "p.db")), drawn, old, new, chunk, stop_after)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events, documents(), documents(), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)))
def test_renormalize_equals_fresh_ingest_on_mongodb_with_transactions(drawn, old, new, chunk, stop_after):
    pytest.importorskip("mongomock")
    from fakes.mongo import FakeReplicaSet

    from eventdesk.store.mongo import MongoStore
    check(lambda: MongoStore("mongodb://localhost/eventdesk_property", client=FakeReplicaSet()),
          drawn, old, new, chunk, stop_after)
