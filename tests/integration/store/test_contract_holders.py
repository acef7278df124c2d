"""EventReads.normalized_holders on every store of the contract suite: which normalized hashes exist."""
from __future__ import annotations

import json

from eventdesk.core.model import Outcome


def event(amount, client="client_B", ts="2024-01-05T10:00:00Z"):
    return json.dumps({"source": client, "payload": {"metric": "sales", "amount": amount, "timestamp": ts}})


def test_holders_name_the_normalized_and_raw_event_of_each_existing_hash(app):
    first, second = app.submit(event(1)), app.submit(event(2))
    duplicate = app.submit(event("1.00"))  # the same fact as the first: it holds no hash of its own
    assert duplicate.outcome is Outcome.SEMANTIC_DUPLICATE
    missing = "0" * 64
    holders = app.store.normalized_holders([first.normalized_hash, second.normalized_hash, missing])
    assert holders == {first.normalized_hash: (first.normalized_id, first.raw_id),
                       second.normalized_hash: (second.normalized_id, second.raw_id)}


def test_holders_of_nothing_odd_or_repeated(app):
    accepted = app.submit(event(3))
    assert app.store.normalized_holders([]) == {}
    odd = ["", "not a hash", "'; DROP TABLE normalized_events; --", '{"$ne": null}', "g" * 64]
    assert app.store.normalized_holders(odd) == {}
    upper = accepted.normalized_hash.upper()
    holders = app.store.normalized_holders([upper, accepted.normalized_hash, upper])
    assert holders == {accepted.normalized_hash: (accepted.normalized_id, accepted.raw_id)}


def test_holders_of_many_hashes_cross_query_chunks(app):
    results = [app.submit(event(n)) for n in range(5)]
    hashes = [r.normalized_hash for r in results] + [f"{n:064x}" for n in range(2500)]
    holders = app.store.normalized_holders(hashes)
    assert holders == {r.normalized_hash: (r.normalized_id, r.raw_id) for r in results}
