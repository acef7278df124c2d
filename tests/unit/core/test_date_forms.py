"""Every date form the normalizer accepts, read by every client setting (issue 8, item 2).

ISO 8601 forms, basic and extended, are always year-month-day, whatever ``dayfirst`` says; only
numeric dates with the year last follow ``dayfirst``. Each row is read through the normalizer
by a client with each combination of ``dayfirst`` and ``decimal_comma`` (zone UTC).
"""
from __future__ import annotations

import itertools
import re

import pytest

from eventdesk.core.canonical import timestamp_text
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.timestamps import TimestampParser

from .test_timestamps import ACCEPTED

SETTINGS = list(itertools.product([False, True], [False, True]))  # (dayfirst, decimal_comma)


def client(dayfirst: bool, decimal_comma: bool) -> Normalizer:
    return Normalizer(Mappings.from_json(
        '{"defaults": {"fields": {"metric": ["metric"], "amount": ["amount"], "timestamp": ["ts"]},'
        f' "dayfirst": {str(dayfirst).lower()}, "decimal_comma": {str(decimal_comma).lower()},'
        ' "timezone": "UTC"}}'))


NORMALIZERS = {s: client(*s) for s in SETTINGS}
JAN5 = "2024-01-05T00:00:00Z"
JAN5_10 = "2024-01-05T10:00:00Z"

# (text, instant when month first, instant when day first)
YEAR_FIRST = [
    # ISO 8601 extended
    ("2024-01-05", JAN5, JAN5),
    ("2024-01-05T10:00", JAN5_10, JAN5_10),
    ("2024-01-05 10:00", JAN5_10, JAN5_10),
    ("2024-01-05T10", JAN5_10, JAN5_10),
    ("2024-01-05T10:00:00Z", JAN5_10, JAN5_10),
    ("2024-01-05T10:00:00,5Z", "2024-01-05T10:00:00.500000Z", "2024-01-05T10:00:00.500000Z"),
    ("2024-01-05T11:00:00+01:00", JAN5_10, JAN5_10),
    ("2024-01-05T10:00:00.5 +01:00", "2024-01-05T09:00:00.500000Z", "2024-01-05T09:00:00.500000Z"),
    # ISO 8601 basic (the date in eight digits, then a time)
    ("20240105T100000Z", JAN5_10, JAN5_10),
    ("20240105T100000", JAN5_10, JAN5_10),
    ("20240105T1000", JAN5_10, JAN5_10),
    ("20240105T10", JAN5_10, JAN5_10),
    ("20240105T10Z", JAN5_10, JAN5_10),
    ("20240105t100000z", JAN5_10, JAN5_10),
    ("20240105 100000", JAN5_10, JAN5_10),
    ("20240105T100000.25Z", "2024-01-05T10:00:00.250000Z", "2024-01-05T10:00:00.250000Z"),
    ("20240105T100000,25Z", "2024-01-05T10:00:00.250000Z", "2024-01-05T10:00:00.250000Z"),
    ("20240105T110000+0100", JAN5_10, JAN5_10),
    ("20240105T110000+01", JAN5_10, JAN5_10),
    ("20240105T110000+01:00", JAN5_10, JAN5_10),
    ("20240105T10:00:00Z", JAN5_10, JAN5_10),        # basic date, extended time: still Y-M-D
    ("2024-01-05T100000Z", JAN5_10, JAN5_10),        # extended date, basic time
    ("20241231T235959Z", "2024-12-31T23:59:59Z", "2024-12-31T23:59:59Z"),
    ("20240312T000000Z", "2024-03-12T00:00:00Z", "2024-03-12T00:00:00Z"),  # 03/12 would swap
    # ISO 8601 week dates and ordinal dates
    ("2024-W01-5", JAN5, JAN5),
    ("2024W015", JAN5, JAN5),
    ("2024-W01-5T10:00:00Z", JAN5_10, JAN5_10),
    ("2020-W53-7", "2021-01-03T00:00:00Z", "2021-01-03T00:00:00Z"),
    ("2024-005", JAN5, JAN5),
    ("2024-005T10:00Z", JAN5_10, JAN5_10),
    ("2024-366", "2024-12-31T00:00:00Z", "2024-12-31T00:00:00Z"),
    # other year-first numeric dates
    ("2024/01/05", JAN5, JAN5),
    ("2024.01.05", JAN5, JAN5),
    ("2024.1.5 10:00", JAN5_10, JAN5_10),
    ("2024/03/04", "2024-03-04T00:00:00Z", "2024-03-04T00:00:00Z"),
    ("10:00 2024-03-04", "2024-03-04T10:00:00Z", "2024-03-04T10:00:00Z"),
    ("2024 01 05", JAN5, JAN5),
    ("2024 03 04 10:00", "2024-03-04T10:00:00Z", "2024-03-04T10:00:00Z"),
    # month names and RFC 2822: no ambiguity
    ("Jan 5, 2024 10:00 AM", JAN5_10, JAN5_10),
    ("5 January 2024", JAN5, JAN5),
    ("05-Jan-2024", JAN5, JAN5),
    ("March 4, 2024", "2024-03-04T00:00:00Z", "2024-03-04T00:00:00Z"),
    ("Fri, 05 Jan 2024 10:00:00 GMT", JAN5_10, JAN5_10),
    ("Fri, 05 Jan 2024 11:00:00 +0100", JAN5_10, JAN5_10),
    ("Fri Jan  5 10:00:00 2024", JAN5_10, JAN5_10),
    # numeric dates with the year last: dayfirst decides unless a part is over 12
    ("05.01.2024", "2024-05-01T00:00:00Z", JAN5),
    ("01/05/2024", JAN5, "2024-05-01T00:00:00Z"),
    ("05-01-2024 10:00", "2024-05-01T10:00:00Z", JAN5_10),
    ("13/01/2024", "2024-01-13T00:00:00Z", "2024-01-13T00:00:00Z"),
    ("01/13/2024", "2024-01-13T00:00:00Z", "2024-01-13T00:00:00Z"),
    ("05.01.24", "2024-05-01T00:00:00Z", JAN5),
    ("10:00 05/01/2024", "2024-05-01T10:00:00Z", JAN5_10),
    # all digits: Unix time, whatever the client's settings
    ("20240105", "1970-08-23T06:15:05Z", "1970-08-23T06:15:05Z"),
    ("1704448800", JAN5_10, JAN5_10),
]


@pytest.mark.parametrize("dayfirst, decimal_comma", SETTINGS)
@pytest.mark.parametrize("text, month_first, day_first", YEAR_FIRST, ids=[r[0] for r in YEAR_FIRST])
def test_each_accepted_form_under_each_client_setting(text, month_first, day_first, dayfirst, decimal_comma):
    canonical = NORMALIZERS[dayfirst, decimal_comma].canonical("c", {"metric": "m", "amount": 1, "ts": text})
    assert canonical.warnings == ()
    assert canonical.timestamp is not None
    assert timestamp_text(canonical.timestamp) == (day_first if dayfirst else month_first)


# Forms that are never misread: null with a warning, for every client setting.
REFUSED = [
    ("2024-W01", "lacks"),          # a week without its day
    ("2024W01", "lacks"),
    ("2024-W54-1", "not a real date"),
    ("2023-W53-1", "not a real date"),
    ("2024-W01-8", "not a real date"),
    ("2024-367", "not a real date"),
    ("2023-366", "not a real date"),
    ("2024-000", "not a real date"),
    ("20241305T100000Z", "not a real date"),
    ("20240230T100000Z", "not a real date"),
    ("20240105T250000Z", "not a real date"),
    ("240105T100000Z", "not a date"),   # two-digit-year basic form: ISO 8601 dropped it
    ("2024-03", "lacks"),
    ("202403T1000", "not a date"),
]


@pytest.mark.parametrize("dayfirst, decimal_comma", SETTINGS)
@pytest.mark.parametrize("text, words", REFUSED, ids=[r[0] for r in REFUSED])
def test_forms_that_cannot_be_read_exactly_are_null_with_a_warning(text, words, dayfirst, decimal_comma):
    canonical = NORMALIZERS[dayfirst, decimal_comma].canonical("c", {"metric": "m", "amount": 1, "ts": text})
    assert canonical.timestamp is None
    assert len(canonical.warnings) == 1 and canonical.warnings[0].startswith("timestamp")
    assert words in canonical.warnings[0]


def test_the_day_first_client_keeps_a_basic_date_apart_from_the_day_it_used_to_become():
    """The reported case: client_D's 5 January and 1 May are two facts, not one."""
    normalizer = NORMALIZERS[True, True]
    basic = normalizer.canonical("client_D", {"metric": "m", "amount": "1,5", "ts": "20240105T100000Z"})
    may = normalizer.canonical("client_D", {"metric": "m", "amount": "1,5", "ts": "2024-05-01T10:00:00Z"})
    assert basic.timestamp != may.timestamp


# (text, whether it names a day only)
DATE_ONLY = [
    ("2024-01-05", True), ("2024/01/05", True), ("05.01.2024", True), ("January 1, 2024", True),
    ("5 Jan 2024", True), ("Fri, 05 Jan 2024", True), ("2024-W01-5", True), ("2024-005", True),
    ("Fri Jan 5 2024", True), (" 2024-01-05 ", True),
    ("2024-01-05T00:00", False), ("2024-01-05 00:00:00Z", False), ("20240105T000000Z", False),
    ("1704412800", False), ("05.01.2024 00:00", False), ("Jan 5, 2024 12:00 AM", False),
    ("Fri Jan  5 00:00:00 2024", False), (1704412800, False),
]


@pytest.mark.parametrize("dayfirst", [False, True])
@pytest.mark.parametrize("text, date_only", DATE_ONLY, ids=[str(r[0]) for r in DATE_ONLY])
def test_the_parser_says_whether_it_read_a_date_alone(text, date_only, dayfirst):
    reading = TimestampParser(dayfirst).read(text)
    assert reading.warning is None and reading.moment is not None
    assert reading.date_only is date_only
    assert (reading.moment, reading.warning) == TimestampParser(dayfirst).parse(text)


_YEAR_LAST = re.compile(r"(?<![0-9])([0-9]{1,2})[/.-]([0-9]{1,2})[/.-][0-9]{2,4}(?![0-9])")


@pytest.mark.parametrize("text", sorted({v for v, p, _ in ACCEPTED if isinstance(v, str) and p in ("us", "eu")}))
def test_every_accepted_text_depends_on_dayfirst_only_when_its_day_and_month_can_swap(text):
    """Every text of the timestamp table, read both ways: only a year-last numeric date may differ."""
    month_first, day_first = TimestampParser(False).parse(text), TimestampParser(True).parse(text)
    assert month_first[1] is None and day_first[1] is None
    m = _YEAR_LAST.search(text)
    if m and m[1] != m[2] and int(m[1]) <= 12 and int(m[2]) <= 12:
        swapped = month_first[0].replace(month=day_first[0].month, day=day_first[0].day)
        assert month_first[0] != day_first[0] and swapped == day_first[0]
    else:
        assert month_first == day_first
