"""Every store's numbers equal the fake's, computed from plain dicts with Decimal arithmetic.

The same messy events (tiny, huge, negative and missing amounts, missing timestamps, weeks and
months across a year's end, before 1970) go into the store under test and into a MemoryStore;
aggregates, stats, counts and distinct values must come out the same.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timezone

import pytest
from fakes.memory_store import MemoryStore

from eventdesk.app import App, shipped_mappings
from eventdesk.core.queries import AggregateQuery, NormalizedQuery, Page

AMOUNTS = ["1", "-2.5", "0.1", "0.00001", "12345678901234.5", "(12.50)", "$1,200.75", "1e3", "0", None,
           "999999999.9999", "-0.0000001"]
MOMENTS = ["1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2020-12-31T23:30:00Z", "2021-01-01T00:30:00Z",
           "2024-01-07T23:59:59.999999Z", "2024-01-08T00:00:00Z", "2024-02-29T12:00:00Z",
           "2024-03-31T01:30:00Z", "2024-03-01T00:00:00+01:00", None]


def events(n: int = 160, seed: int = 5) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        payload: dict = {"metric": rng.choice(["sales", "visits", "Refunds"]), "i": i % 120}  # some repeat
        amount, moment = rng.choice(AMOUNTS), rng.choice(MOMENTS)
        if amount is not None:
            payload["amount"] = amount
        if moment is not None:
            payload["timestamp"] = moment
        out.append(json.dumps({"source": rng.choice(["c1", "c2", "client_B"]), "payload": payload}).encode())
    return out


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


QUERIES = [AggregateQuery(bucket=b) for b in ("none", "day", "week", "month")] + [
    AggregateQuery(time_from=at("2020-12-31T23:45:00"), time_to=at("2024-01-08T00:00:00"), bucket="week"),
    AggregateQuery(time_from=at("1969-12-31T00:00:00"), bucket="month"),
    AggregateQuery(time_to=at("2024-03-01T00:00:00")),
    AggregateQuery(clients=("c1", "client_B"), metrics=("sales",), bucket="day"),
    AggregateQuery(time_from=at("2024-02-29T11:00:00"), time_to=at("2024-02-29T13:00:00"))]


@pytest.fixture
def both(app):
    if isinstance(app.store, MemoryStore):
        pytest.skip("the fake against itself proves nothing")
    mappings = shipped_mappings()
    fake = App(MemoryStore(), mappings, 1)
    batch = events()
    for part in (batch[:70], batch[70:]):  # two units of work: totals must add up across them
        app.apply_raw_batch(part)
        fake.apply_raw_batch(part)
    return app.store, fake.store


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.bucket}-{q.time_from}-{q.time_to}-{q.clients}")
def test_aggregates_equal_the_fakes(both, query):
    store, fake = both
    assert store.aggregates(query) == fake.aggregates(query)


def test_stats_counts_and_distinct_values_equal_the_fakes(both):
    store, fake = both
    assert store.stats().to_json() == fake.stats().to_json()
    assert store.per_client() == fake.per_client()
    for field in ("source", "client_id", "metric"):
        assert store.distinct_values(field) == fake.distinct_values(field)
    for query in (NormalizedQuery(), NormalizedQuery(client_id="c1", metric="sales"),
                  NormalizedQuery(time_from=at("2021-01-01T00:00:00"), time_to=at("2024-03-01T00:00:00")),
                  NormalizedQuery(has_warnings=True)):
        assert store.count_normalized(query) == fake.count_normalized(query)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", ["timestamp", "amount"])
def test_sorted_pages_equal_the_fakes(both, sort, descending):
    store, fake = both
    def walk(s) -> list:
        rows, after = [], None
        while True:
            page = s.query_normalized(NormalizedQuery(), Page(sort, descending, after, 7))
            rows += [(getattr(e, sort), e.id) for e in page]
            if len(page) < 7:
                return [value for value, _ in rows]
            after = (getattr(page[-1], sort), page[-1].id)

    assert walk(store) == walk(fake)
