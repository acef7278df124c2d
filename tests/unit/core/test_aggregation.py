"""Aggregation arithmetic (eventdesk/core/aggregation.py): exact units, buckets, averages.

Sums, min and max are exact Decimals however huge or tiny; averages are rounded half-even to
6 places; buckets start at a UTC midnight, ISO weeks on Monday, months on the 1st.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pytest

from eventdesk.core.aggregation import (
    AVG_PLACES,
    DAY_US,
    INT64_MAX,
    Partial,
    amount_units,
    average_text,
    bucket_of_day,
    day_range,
    day_start_text,
    epoch_micros,
    from_units,
    merge_rows,
    row_from_units,
    rows_from_partials,
    units_text,
)
from eventdesk.core.canonical import amount_text

UTC = timezone.utc
EPOCH_DAY = date(1970, 1, 1)


def day_of(text: str) -> int:
    return (date.fromisoformat(text) - EPOCH_DAY).days


# -- units

@pytest.mark.parametrize("amount, units", [
    ("0", 0), ("-0", 0), ("1", 10_000), ("-1", -10_000), ("0.0001", 1), ("-0.0001", -1),
    ("12.5", 125_000), ("1E+3", 10_000_000), ("1200.50", 12_005_000),
    ("0.00001", None), ("0.12345", None),                           # finer than 10**-4
    (str(Decimal(INT64_MAX // 1_000_000).scaleb(-4)), INT64_MAX // 1_000_000),  # the headroom limit
    (str(Decimal(INT64_MAX // 1_000_000 + 1).scaleb(-4)), None),
    (str(Decimal(-(INT64_MAX // 1_000_000)).scaleb(-4)), -(INT64_MAX // 1_000_000)),
    ("1e30", None)])
def test_amount_units_are_exact_or_none(amount, units):
    assert amount_units(Decimal(amount)) == units
    if units is not None:
        assert from_units(units) == Decimal(amount)


def test_no_amount_has_no_units():
    assert amount_units(None) is None and from_units(None) is None


@pytest.mark.parametrize("units, text", [
    (0, "0"), (1, "0.0001"), (-1, "-0.0001"), (5_000, "0.5"), (10_000, "1"), (-10_000, "-1"),
    (123_456_789, "12345.6789"), (10**40 + 1, "1" + "0" * 36 + ".0001"), (-(10**40), "-1" + "0" * 36)])
def test_units_text_is_canonical(units, text):
    assert units_text(units) == text
    with localcontext(prec=100):  # scaleb rounds to the context's precision
        assert units_text(units) == amount_text(Decimal(units).scaleb(-4))


# -- averages

@pytest.mark.parametrize("total, count, text", [
    (1, 200, "0"),              # 0.0000005: half, to the even 0
    (3, 200, "0.000002"),       # 0.0000015: half, to the even 2
    (-3, 200, "-0.000002"),
    (-1, 200, "0"),             # never "-0"
    (1, 3, "0.000033"),
    (2, 3, "0.000067"),
    (10_000, 3, "0.333333"),
    (20_000, 3, "0.666667"),
    (0, 5, "0"),
    (7, 0, "0")])               # no amounts: the contract says 0
def test_average_is_rounded_half_even_to_six_places(total, count, text):
    assert average_text(total, count) == text


def test_average_text_agrees_with_decimal_half_even():
    rng = random.Random(9)
    for _ in range(3000):
        total = rng.randint(-10**22, 10**22) if rng.random() < 0.5 else rng.randint(-999, 999)
        count = rng.randint(1, 10**6)
        with localcontext(prec=200):
            expected = (Decimal(total).scaleb(-4) / count).quantize(AVG_PLACES, ROUND_HALF_EVEN)
        assert average_text(total, count) == amount_text(expected), (total, count)


# -- time

@pytest.mark.parametrize("moment, micros", [
    (datetime(1970, 1, 1, tzinfo=UTC), 0),
    (datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC), 1),
    (datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC), -1),
    (datetime(1970, 1, 2, 1, tzinfo=timezone(timedelta(hours=1))), DAY_US),  # an offset is honoured
    (datetime(2024, 2, 29, 12, tzinfo=UTC), (day_of("2024-02-29") * 86_400 + 43_200) * 1_000_000)])
def test_epoch_micros(moment, micros):
    assert epoch_micros(moment) == micros


def expected_bucket(day: int, bucket: str) -> int:
    """The start of the bucket from ``datetime`` alone: an independent answer."""
    moment = EPOCH_DAY + timedelta(days=day)
    if bucket == "day":
        start = moment
    elif bucket == "week":
        start = moment - timedelta(days=moment.weekday())  # ISO: Monday
    else:
        start = moment.replace(day=1)
    return (start - EPOCH_DAY).days


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_buckets_agree_with_the_calendar_every_day_from_1960_to_2040(bucket):
    for day in range(day_of("1960-01-01"), day_of("2040-12-31")):
        assert bucket_of_day(day, bucket) == expected_bucket(day, bucket), EPOCH_DAY + timedelta(days=day)


@pytest.mark.parametrize("day, bucket, start", [
    ("2024-01-07", "week", "2024-01-01"),   # Sunday belongs to the week that began on Monday
    ("2024-01-08", "week", "2024-01-08"),
    ("2020-12-31", "week", "2020-12-28"),   # a week across a year's end
    ("1970-01-01", "week", "1969-12-29"),   # the epoch was a Thursday
    ("1969-12-28", "week", "1969-12-22"),   # before the epoch
    ("2024-02-29", "month", "2024-02-01"),
    ("2024-03-01", "month", "2024-03-01"),
    ("1969-12-31", "month", "1969-12-01"),
    ("2024-12-31", "day", "2024-12-31")])
def test_bucket_boundaries(day, bucket, start):
    assert day_start_text(bucket_of_day(day_of(day), bucket)) == start + "T00:00:00Z"


def test_no_bucket_is_none():
    assert bucket_of_day(day_of("2024-05-05"), "none") is None


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("lo, hi, first, end, edges", [
    ("2024-01-01T00:00:00", "2024-01-03T00:00:00", "2024-01-01", "2024-01-03", []),  # whole days only
    ("2024-01-01T10:00:00", "2024-01-03T12:00:00", "2024-01-02", "2024-01-03",
     [("2024-01-01T10:00:00", "2024-01-02T00:00:00"), ("2024-01-03T00:00:00", "2024-01-03T12:00:00")]),
    ("2024-01-01T10:00:00", "2024-01-01T11:00:00", None, None,
     [("2024-01-01T10:00:00", "2024-01-01T11:00:00")]),
    ("2024-01-01T10:00:00", "2024-01-02T00:00:00", None, None,  # up to a midnight: still no whole day
     [("2024-01-01T10:00:00", "2024-01-02T00:00:00")])])
def test_day_range_splits_whole_days_from_edges(lo, hi, first, end, edges):
    got_first, got_end, got_edges = day_range(at(lo), at(hi))
    if first is None:
        assert (got_first, got_end) == (0, 0)
    else:
        assert (got_first, got_end) == (day_of(first), day_of(end))
    assert got_edges == [(epoch_micros(at(a)), epoch_micros(at(b))) for a, b in edges]


def test_day_range_open_ends():
    assert day_range(None, None) == (None, None, [])
    first, end, edges = day_range(at("2024-01-01T06:00:00"), None)
    assert (first, end) == (day_of("2024-01-02"), None)
    assert edges == [(epoch_micros(at("2024-01-01T06:00:00")), day_of("2024-01-02") * DAY_US)]


# -- partials to rows

def test_huge_and_tiny_amounts_sum_exactly_across_days_into_weeks_and_months():
    tiny, huge = Decimal("0.000000000000000001"), Decimal("123456789012345678901234567890.5")
    partials: dict = {}
    with localcontext(prec=100):  # the test's own sum must not round either
        huge_and_tiny = huge + tiny
    merge_rows(partials, [
        ("c", "m", day_of("2024-01-01"), 2, 2, huge_and_tiny, tiny, huge),
        ("c", "m", day_of("2024-01-07"), 1, 1, -tiny, -tiny, -tiny),
        ("c", "m", day_of("2024-01-08"), 1, 1, huge, huge, huge),
        ("c", "m", None, 3, 1, Decimal(5), Decimal(5), Decimal(5)),     # no timestamp: its own row
        ("c", None, day_of("2024-01-01"), 1, 0, Decimal(0), None, None)])  # no metric, no amount
    weeks = rows_from_partials(partials, "week")
    assert [(r.metric, r.bucket, r.count, r.sum) for r in weeks] == [
        ("m", "2024-01-01T00:00:00Z", 3, amount_text(huge)),            # tiny - tiny: exactly huge
        ("m", "2024-01-08T00:00:00Z", 1, amount_text(huge)),
        ("m", None, 3, "5"),
        (None, "2024-01-01T00:00:00Z", 1, "0")]
    first = weeks[0]
    assert (first.min, first.max) == (amount_text(-tiny), amount_text(huge))
    with localcontext(prec=100):
        assert first.avg == amount_text((huge / 3).quantize(AVG_PLACES, ROUND_HALF_EVEN))
    assert (weeks[3].avg, weeks[3].min, weeks[3].max) == ("0", "0", "0")  # no amounts at all
    (month, untimed, no_metric) = rows_from_partials(partials, "month")
    with localcontext(prec=100):
        assert month.sum == amount_text(huge * 2) and month.count == 4
    (whole, no_metric_whole) = rows_from_partials(partials, "none")
    with localcontext(prec=100):
        assert (whole.bucket, whole.count, whole.sum) == (None, 7, amount_text(huge * 2 + 5))


def test_rows_are_sorted_by_client_metric_then_bucket_with_nulls_last():
    partials: dict = {}
    groups = [("b", "x", 3), ("a", None, 1), ("a", "y", None), ("a", "y", 2), ("a", "x", 5)]
    for client, metric, day in groups:
        partials[(client, metric, day)] = Partial(1, 1, Decimal(1), Decimal(1), Decimal(1))
    rows = rows_from_partials(partials, "day")
    assert [(r.client_id, r.metric, r.bucket) for r in rows] == [
        ("a", "x", day_start_text(5)), ("a", "y", day_start_text(2)), ("a", "y", None),
        ("a", None, day_start_text(1)), ("b", "x", day_start_text(3))]


def test_fast_integer_rows_equal_the_exact_decimal_rows():
    rng = random.Random(4)
    for _ in range(500):
        units = [rng.randint(-(INT64_MAX // 10**6), INT64_MAX // 10**6) for _ in range(rng.randint(1, 6))]
        amounts = [from_units(u) for u in units]
        slow = Partial()
        for a in amounts:
            slow.add(1, 1, a, a, a)
        (exact,) = rows_from_partials({("c", "m", 7): slow}, "day")
        fast = row_from_units("c", "m", 7, len(units), len(units), sum(units), min(units), max(units))
        assert fast == exact, units
