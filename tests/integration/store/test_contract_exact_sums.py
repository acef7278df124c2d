"""Sums stay exact past 64-bit integers, on every store (design section 5: never round).

A million events near the fast-path limit on one client, metric and day overflow int64; a few
events whose scaled units are near 2**63 do the same, so these tests write such rows directly.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal, localcontext

import pytest

from eventdesk.core.aggregation import epoch_micros
from eventdesk.core.canonical import amount_text, timestamp_text
from eventdesk.core.ports import NewNormalized, NewRaw
from eventdesk.core.queries import AggregateQuery
from eventdesk.core.stored import StoredForm

NEAR = 2**63 - 1  # the largest int64: units of 10**-4
DAY = datetime(2024, 3, 1, tzinfo=timezone.utc)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def put(store, rows, client="c", metric="m"):
    """Write normalized events of (units, moment) directly, as the processor would."""
    with store.unit_of_work() as uow:
        raws = [NewRaw(client, f"row {i} {u} {m}", "normalized", _digest(f"raw {client} {metric} {i} {u} {m}"),
                       None, 1, "2024-03-01T00:00:00Z") for i, (u, m) in enumerate(rows)]
        ids = uow.insert_raws(raws)
        new = []
        for raw_id, (i, (units, moment)) in zip(ids, enumerate(rows)):
            amount = Decimal(units).scaleb(-4) if isinstance(units, int) else units
            units = units if isinstance(units, int) else None  # finer than 10**-4: no units
            stored = StoredForm(amount_text(amount), units, epoch_micros(moment),
                                None if moment is None else timestamp_text(moment), None)
            new.append(NewNormalized(raw_id, client, metric, amount, moment,
                                     _digest(f"norm {client} {metric} {i} {units} {moment}"), (), stored))
        uow.insert_normalized(new)
        uow.commit()


def exact(value: Decimal) -> str:
    """Canonical text of an expected value computed without rounding."""
    return amount_text(value)


def units(value: int) -> str:
    return amount_text(Decimal(value).scaleb(-4))


def at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def test_day_sum_past_int64_is_exact(store):
    put(store, [(NEAR, at(1)), (NEAR, at(2)), (NEAR, at(3))])
    (row,) = store.aggregates(AggregateQuery())
    assert (row.count, row.sum, row.min, row.max) == (3, units(3 * NEAR), units(NEAR), units(NEAR))
    assert row.avg == units(NEAR)
    assert store.stats().normalized == 3


def test_sum_past_int64_in_separate_batches_and_days(store):
    for hour in (1, 2, 30, 31, 60):  # one transaction each: the stored totals add up across upserts
        put(store, [(NEAR - hour, at(hour))])
    expected = sum(NEAR - h for h in (1, 2, 30, 31, 60))
    (row,) = store.aggregates(AggregateQuery())
    assert (row.count, row.sum) == (5, units(expected))
    days = store.aggregates(AggregateQuery(bucket="day"))
    assert [(r.count, r.sum) for r in days] == [
        (2, units(2 * NEAR - 3)), (2, units(2 * NEAR - 61)), (1, units(NEAR - 60))]
    (month,) = store.aggregates(AggregateQuery(bucket="month"))
    assert month.sum == units(expected)


def test_negative_sums_past_int64_are_exact(store):
    low = -(2**63) + 1
    put(store, [(low, at(1)), (low, at(2)), (NEAR, at(3)), (low, at(4)), (-1, at(5))])
    (row,) = store.aggregates(AggregateQuery())
    assert (row.count, row.sum, row.min, row.max) == (5, units(3 * low + NEAR - 1), units(low), units(NEAR))
    assert row.avg == amount_text((Decimal(3 * low + NEAR - 1).scaleb(-4) / 5).quantize(Decimal("0.000001")))


def test_time_ranges_scanning_rows_past_int64_are_exact(store):
    """Partial days are summed from the rows, whole days from the day totals: both exact."""
    put(store, [(NEAR, at(1)), (NEAR, at(2)), (NEAR, at(3)), (NEAR, at(25)), (NEAR, at(26)), (NEAR, at(50))])
    inside = AggregateQuery(time_from=at(0.5), time_to=at(3.5))  # inside one day: rows only
    assert [(r.count, r.sum) for r in store.aggregates(inside)] == [(3, units(3 * NEAR))]
    across = AggregateQuery(time_from=at(1.5), time_to=at(49))  # an edge, a whole day, no end edge
    assert [(r.count, r.sum) for r in store.aggregates(across)] == [(4, units(4 * NEAR))]
    bucketed = store.aggregates(AggregateQuery(time_from=at(1.5), time_to=at(51), bucket="day"))
    assert [(r.count, r.sum) for r in bucketed] == [(2, units(2 * NEAR)), (2, units(2 * NEAR)),
                                                     (1, units(NEAR))]


def test_huge_sums_mix_with_many_decimals_and_no_timestamp(store):
    fine = Decimal("0.000000000000000001")  # 18 decimals: summed on the exact slow path
    put(store, [(NEAR, at(1)), (NEAR, at(2)), (NEAR, None), (NEAR, None)])
    put(store, [(5, at(3)), (fine, at(4)), (-fine * 3, None)])  # another batch, same groups
    (timed, untimed) = store.aggregates(AggregateQuery(bucket="day"))
    with localcontext(prec=100):  # the expected values must not round either
        expected_timed = Decimal(2 * NEAR + 5).scaleb(-4) + fine
        expected_untimed = Decimal(2 * NEAR).scaleb(-4) - 3 * fine
    assert (timed.count, timed.sum) == (4, exact(expected_timed))
    assert (untimed.bucket, untimed.count) == (None, 3)
    assert untimed.sum == exact(expected_untimed)
    assert untimed.min == amount_text(-3 * fine)
    with localcontext(prec=100):
        expected_whole = expected_timed + expected_untimed
    (whole,) = store.aggregates(AggregateQuery())  # no bucket: one row, untimed events included
    assert (whole.bucket, whole.count, whole.sum) == (None, 7, exact(expected_whole))
    ranged = store.aggregates(AggregateQuery(time_from=at(0), time_to=at(24)))
    assert [(r.count, r.sum) for r in ranged] == [(4, timed.sum)]


@pytest.mark.parametrize("bucket", ["none", "day", "week", "month"])
def test_no_bucket_is_one_row_with_or_without_exotic_amounts(store, bucket):
    put(store, [(NEAR, at(1)), (NEAR, None)])
    rows = store.aggregates(AggregateQuery(bucket=bucket))
    expected = [(None, 2, units(2 * NEAR))] if bucket == "none" else [
        ("2024-02-26T00:00:00Z" if bucket == "week" else "2024-03-01T00:00:00Z", 1, units(NEAR)),
        (None, 1, units(NEAR))]
    assert [(r.bucket, r.count, r.sum) for r in rows] == expected
    put(store, [(Decimal("0.00001"), at(2))])  # an exotic amount takes the slow path: same shape
    assert len(store.aggregates(AggregateQuery(bucket=bucket))) == len(expected)


@pytest.mark.parametrize("bucket", ["none", "day", "week", "month"])
def test_filters_keep_huge_sums_exact(store, bucket):
    put(store, [(NEAR, at(1)), (NEAR, at(2))], client="a")
    put(store, [(NEAR, at(1)), (7, at(2))], client="b", metric="n")
    rows = store.aggregates(AggregateQuery(clients=("a",), metrics=("m",), bucket=bucket))
    assert [(r.client_id, r.count, r.sum) for r in rows] == [("a", 2, units(2 * NEAR))]
    rows = store.aggregates(AggregateQuery(bucket=bucket))
    assert [(r.client_id, r.sum) for r in rows] == [("a", units(2 * NEAR)), ("b", units(NEAR + 7))]


def test_store_records_its_version_and_refuses_a_newer_one(store, tmp_path):
    """Design section 11 on every store: a newer schema is refused before anything is written."""
    from eventdesk.core.ports import StoreVersionError
    if not hasattr(store, "_db"):
        pytest.skip("SQLite versions: tests/integration/store/test_store_versions.py")
    from eventdesk.store.mongo import MongoStore, versions
    db = store._db
    assert versions.stored_version(db) == versions.SCHEMA_VERSION
    db[versions.META].update_one({"_id": "schema"}, {"$set": {"version": versions.SCHEMA_VERSION + 1}})
    db["normalized_events"].drop_indexes()
    client = store._client
    for read_only in (False, True):
        with pytest.raises(StoreVersionError, match="newer eventdesk"):
            MongoStore("mongodb://localhost/" + db.name, client=client, read_only=read_only)
    assert "normalized_hash" not in db["normalized_events"].index_information()  # nothing written
    db[versions.META].delete_many({})  # a database from before versions: recorded on open
    MongoStore("mongodb://localhost/" + db.name, client=client)
    assert versions.stored_version(db) == versions.SCHEMA_VERSION
