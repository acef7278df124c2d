"""EventReads.warned_raw_ids on every store of the contract suite: the raw table's warnings flag
is read for the ids of one page, never by scanning for warned events (a 1M-event store took
0.8 s per page that way)."""
from __future__ import annotations

import json


def event(n, amount="1"):
    return json.dumps({"source": "client_B", "payload": {"metric": "sales", "amount": amount,
                                                          "timestamp": f"2024-01-{n + 1:02d}T10:00:00Z"}})


def test_only_the_ids_asked_for_whose_normalized_event_has_warnings(app):
    clean = app.submit(event(1))
    warned = app.submit(event(2, amount="abc"))
    rejected = app.submit("not json")
    other_warned = app.submit(event(3, amount="xyz"))
    assert warned.canonical.warnings and not clean.canonical.warnings
    asked = [clean.raw_id, warned.raw_id, rejected.raw_id]
    assert app.store.warned_raw_ids(asked) == {warned.raw_id}
    assert app.store.warned_raw_ids([]) == set()
    assert app.store.warned_raw_ids([other_warned.raw_id, warned.raw_id]) == {warned.raw_id, other_warned.raw_id}


def test_many_ids_cross_query_chunks(app):
    results = [app.submit(event(n % 28, amount="bad" if n % 3 == 0 else str(n))) for n in range(12)]
    ids = [r.raw_id for r in results] + list(range(10_000, 11_200))
    want = {r.raw_id for r in results if r.canonical.warnings}
    assert app.store.warned_raw_ids(ids) == want
