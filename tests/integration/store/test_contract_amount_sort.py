"""Sorting normalized events by amount orders by the exact value on every store, as the fake does.

Amounts with exact units of 10**-4 and amounts without (finer digits, beyond the units' range)
are mixed with negatives, zero and missing amounts; small pages make every cursor land on each kind.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from fakes.memory_store import MemoryStore

from eventdesk.app import App, shipped_mappings
from eventdesk.core.queries import NormalizedQuery, Page

AMOUNTS = ["0.00001", "0.0001", "0.00011", "0.0002", "-0.00001", "-0.0001", "0", "-0", "1", "-1",
           "12345678901234.5", "-12345678901234.5", "92233720368", "92233720369.5", None,
           "999999999.99999", "0.00001", "1.00000001", None, "-0.0000001", "1"]


def _batch() -> list[bytes]:
    out = []
    for i, amount in enumerate(AMOUNTS):
        payload: dict = {"metric": "sales", "i": i}
        if amount is not None:
            payload["amount"] = amount
        out.append(json.dumps({"source": "c1", "payload": payload}).encode())
    return out


def _walk(store, descending: bool, size: int) -> list[tuple]:
    rows, after = [], None
    while True:
        page = store.query_normalized(NormalizedQuery(), Page("amount", descending, after, size))
        rows += [(e.amount, e.id) for e in page]
        if len(page) < size:
            return rows
        after = (page[-1].amount, page[-1].id)


@pytest.mark.parametrize("size", [1, 2, 3, 50])
@pytest.mark.parametrize("descending", [False, True])
def test_amount_pages_follow_the_exact_value(app, descending, size):
    if isinstance(app.store, MemoryStore):
        pytest.skip("the fake is the reference")
    fake = App(MemoryStore(), shipped_mappings(), 1)
    app.apply_raw_batch(_batch())
    fake.apply_raw_batch(_batch())
    got, want = _walk(app.store, descending, size), _walk(fake.store, descending, size)
    assert [a for a, _ in got] == [a for a, _ in want]
    assert len({i for _, i in got}) == len(AMOUNTS)  # no row skipped or repeated
    known = [(Decimal(a), i) for a, i in got if a is not None]
    assert known == sorted(known, reverse=descending)  # ties by id, in the sort's direction


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "-inf", ""])
def test_an_amount_cursor_that_is_not_a_number_is_a_value_error(app, text):
    if isinstance(app.store, MemoryStore):
        pytest.skip("the fake is the reference")
    app.apply_raw_batch(_batch())
    with pytest.raises(ValueError):
        app.store.query_normalized(NormalizedQuery(), Page("amount", False, (text, 1), 5))


@pytest.mark.parametrize("descending", [False, True])
def test_amount_pages_keep_the_filters(app, descending):
    batch = _batch() + [json.dumps({"source": "c2", "payload": {"metric": "sales", "amount": a}}).encode()
                        for a in ("0.00001", "5", "12345678901234.5")]
    app.apply_raw_batch(batch)
    query = NormalizedQuery(client_id="c2")
    got = app.store.query_normalized(query, Page("amount", descending, None, 2))
    got += app.store.query_normalized(query, Page("amount", descending, (got[-1].amount, got[-1].id), 2))
    want = ["0.00001", "5", "12345678901234.5"]
    assert [e.amount for e in got] == (want[::-1] if descending else want)
