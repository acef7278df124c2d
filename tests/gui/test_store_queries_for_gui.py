"""The store queries the GUI's new filters and sorts need, on SQLite and on mongomock:
"has warnings" for both tables, sorting raw events by error and normalized ones by warnings."""
from __future__ import annotations

import json

import pytest

from eventdesk.app import Settings, build_app
from eventdesk.core.queries import NormalizedQuery, Page, RawQuery

EVENTS = [
    {"source": "client_B", "payload": {"metric": "sales", "amount": 10, "timestamp": "2024-01-01T00:00:00Z"}},
    {"source": "client_B", "payload": {"metric": "sales", "amount": "abc", "timestamp": "2024-01-02T00:00:00Z"}},
    {"source": "client_B", "payload": {"metric": "sales", "amount": 3, "timestamp": "2024-02-30T00:00:00Z"}},
    {"source": "client_B", "payload": {"metric": "sales", "timestamp": "2024-01-03T00:00:00Z"}},
    {"source": "client_C", "payload": {"type": "visits", "total": "7", "ts": 1704067200}},
]


def sqlite_app(tmp_path):
    return build_app(Settings(store_uri=str(tmp_path / "q.db")))


def mongo_app(tmp_path):
    testing = pytest.importorskip("fakes.mongo")
    pytest.importorskip("mongomock")
    return build_app(Settings(store_uri="mongodb://localhost:27017/gui_queries",
                              store_options={"client": testing.mongomock_client()}))


@pytest.fixture(params=["sqlite", "mongo"])
def app(request, tmp_path):
    app = (sqlite_app if request.param == "sqlite" else mongo_app)(tmp_path)
    for event in EVENTS:
        app.submit(json.dumps(event))
    app.submit("not json")
    yield app
    app.close()


def all_pages(fetch, sort, descending, limit=2):
    rows, after = [], None
    for _guard in range(50):  # a cursor that does not advance must fail, not hang
        page = fetch(Page(sort, descending, after, limit))
        rows += page
        if len(page) < limit:
            return rows
        last = page[-1]
        value = getattr(last, sort)
        if sort == "warnings":
            value = last.warnings[0] if last.warnings else None
        after = (value, last.id)
    raise AssertionError("paging did not end")


def test_has_warnings_filters_both_tables(app):
    store = app.store
    warned = store.query_normalized(NormalizedQuery(has_warnings=True), Page(limit=100))
    assert len(warned) == 3 and all(e.warnings for e in warned)
    assert store.count_normalized(NormalizedQuery(has_warnings=True)) == 3
    assert store.count_normalized(NormalizedQuery(client_id="client_C", has_warnings=True)) == 0
    raws = store.query_raw(RawQuery(has_warnings=True), Page(limit=100))
    assert sorted(r.id for r in raws) == sorted(e.raw_id for e in warned)
    assert store.count_raw(RawQuery(has_warnings=True)) == 3
    assert store.count_raw(RawQuery(has_warnings=True, statuses=("rejected",))) == 0


@pytest.mark.parametrize("descending", [False, True])
def test_normalized_sort_by_warnings_pages_through_every_event_once(app, descending):
    rows = all_pages(lambda p: app.store.query_normalized(NormalizedQuery(), p), "warnings", descending)
    assert len(rows) == len({r.id for r in rows}) == 5
    firsts = [r.warnings[0] if r.warnings else None for r in rows]
    present = [f for f in firsts if f is not None]
    assert present == sorted(present, reverse=descending)
    assert (firsts[:2] == [None, None]) if not descending else (firsts[-2:] == [None, None])


@pytest.mark.parametrize("descending", [False, True])
def test_raw_sort_by_error_pages_through_every_event_once(app, descending):
    rows = all_pages(lambda p: app.store.query_raw(RawQuery(), p), "error", descending)
    assert len(rows) == len({r.id for r in rows}) == 6
    errors = [r.error for r in rows if r.error is not None]
    assert errors == sorted(errors, reverse=descending) and len(errors) == 1
