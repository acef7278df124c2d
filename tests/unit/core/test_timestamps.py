"""Timestamps (design section 5, `timestamp`): every accepted layout, zones, and refusals."""
from __future__ import annotations

import random
from datetime import timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from eventdesk.core.canonical import brief, timestamp_text
from eventdesk.core.timestamps import TimestampParser, full_year

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

US = TimestampParser(dayfirst=False, zone=UTC)           # month first, UTC (the defaults)
EU = TimestampParser(dayfirst=True, zone=UTC)            # day first, UTC
DE = TimestampParser(dayfirst=True, zone=BERLIN)         # client_D: day first, Europe/Berlin
NY = TimestampParser(dayfirst=False, zone=NEW_YORK)
PARSERS = {"us": US, "eu": EU, "de": DE, "ny": NY}

# (value, parser, expected UTC text)
ACCEPTED = [
    # Unix time: seconds below 1e11, milliseconds below 1e14, microseconds below 1e17
    (0, "us", "1970-01-01T00:00:00Z"),
    (1704067200, "us", "2024-01-01T00:00:00Z"),
    (1704067200, "de", "2024-01-01T00:00:00Z"),
    (1704067200.5, "us", "2024-01-01T00:00:00.500000Z"),
    (Decimal("1704067200.1234567"), "us", "2024-01-01T00:00:00.123456Z"),
    (1704067200000, "us", "2024-01-01T00:00:00Z"),
    (1704067200123, "us", "2024-01-01T00:00:00.123000Z"),
    (1704067200000000, "us", "2024-01-01T00:00:00Z"),
    (1704067200000001, "us", "2024-01-01T00:00:00.000001Z"),
    (99_999_999_999, "us", "5138-11-16T09:46:39Z"),
    (100_000_000_000, "us", "1973-03-03T09:46:40Z"),
    (99_999_999_999_999, "us", "5138-11-16T09:46:39.999000Z"),
    (100_000_000_000_000, "us", "1973-03-03T09:46:40Z"),
    (99_999_999_999_999_999, "us", "5138-11-16T09:46:39.999999Z"),
    (-86400, "us", "1969-12-31T00:00:00Z"),
    (Decimal("-0.5"), "us", "1969-12-31T23:59:59.500000Z"),
    (Decimal("-0.0000005"), "us", "1969-12-31T23:59:59.999999Z"),
    (Decimal("99999999999.9999999999999999999"), "us", "5138-11-16T09:46:39.999999Z"),
    (Decimal("99999999999999.99999999999999999999"), "us", "5138-11-16T09:46:39.999999Z"),
    (Decimal("1704067200." + "9" * 400), "us", "2024-01-01T00:00:00.999999Z"),
    ("1704067200", "us", "2024-01-01T00:00:00Z"),
    ("  1704067200\n", "us", "2024-01-01T00:00:00Z"),
    ("1704067200000", "de", "2024-01-01T00:00:00Z"),
    ("+1704067200", "us", "2024-01-01T00:00:00Z"),
    ("1704067200.25", "us", "2024-01-01T00:00:00.250000Z"),
    ("2024", "us", "1970-01-01T00:33:44Z"),       # all digits: Unix time, as the design says
    ("20240105", "us", "1970-08-23T06:15:05Z"),
    # ISO 8601 / RFC 3339: always year-month-day
    ("2024-01-05", "us", "2024-01-05T00:00:00Z"),
    ("2024-01-05", "de", "2024-01-04T23:00:00Z"),
    ("2024-03-04", "eu", "2024-03-04T00:00:00Z"),
    ("2024-01-05T10:00:00Z", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05T10:00:00Z", "de", "2024-01-05T10:00:00Z"),
    ("2024-01-05 10:00:00Z", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05t10:00:00z", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05T10:00Z", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05T10:00", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05T10:00", "de", "2024-01-05T09:00:00Z"),
    ("2024-01-05T10:00:00.5Z", "us", "2024-01-05T10:00:00.500000Z"),
    ("2024-01-05T10:00:00,25Z", "us", "2024-01-05T10:00:00.250000Z"),
    ("2024-01-05T10:00:00.123456789Z", "us", "2024-01-05T10:00:00.123456Z"),
    ("2024-03-04T10:00:00.1234567891", "eu", "2024-03-04T10:00:00.123456Z"),
    ("2024-01-05T12:00:00+02:00", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05T12:00:00+02:00", "de", "2024-01-05T10:00:00Z"),
    ("2024-01-05T12:00:00+0200", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05T12:00:00+02", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05T04:30:00-05:30", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05T10:00:00 +00:00", "de", "2024-01-05T10:00:00Z"),
    ("2024-01-05 10:00:00 UTC", "de", "2024-01-05T10:00:00Z"),
    ("2024-01-05T10:00:00 GMT", "de", "2024-01-05T10:00:00Z"),
    ("2024-01-05T00:30:00+01:00", "us", "2024-01-04T23:30:00Z"),
    ("0001-01-01T00:00:00Z", "us", "0001-01-01T00:00:00Z"),
    ("9999-12-31T23:59:59.999999Z", "us", "9999-12-31T23:59:59.999999Z"),
    # numeric dates with / . -: 4-digit year first is Y-M-D, else dayfirst unless a part > 12
    ("2024/01/05", "us", "2024-01-05T00:00:00Z"),
    ("2024/01/05", "eu", "2024-01-05T00:00:00Z"),
    ("2024.01.05", "eu", "2024-01-05T00:00:00Z"),
    ("2024-1-5", "eu", "2024-01-05T00:00:00Z"),
    ("2024/01/05 10:00", "us", "2024-01-05T10:00:00Z"),
    ("01/05/2024", "us", "2024-01-05T00:00:00Z"),
    ("01/05/2024", "eu", "2024-05-01T00:00:00Z"),
    ("05.01.2024", "eu", "2024-01-05T00:00:00Z"),
    ("05.01.2024", "us", "2024-05-01T00:00:00Z"),
    ("05-01-2024", "eu", "2024-01-05T00:00:00Z"),
    ("13/01/2024", "us", "2024-01-13T00:00:00Z"),
    ("01/13/2024", "eu", "2024-01-13T00:00:00Z"),
    ("1/5/2024", "us", "2024-01-05T00:00:00Z"),
    ("05.01.2024 10:00", "de", "2024-01-05T09:00:00Z"),
    ("05.07.2024 10:00", "de", "2024-07-05T08:00:00Z"),
    ("05.01.2024 10:00:30", "de", "2024-01-05T09:00:30Z"),
    ("05.01.24", "eu", "2024-01-05T00:00:00Z"),
    ("05.01.69", "eu", "1969-01-05T00:00:00Z"),
    ("05.01.68", "eu", "2068-01-05T00:00:00Z"),
    ("1/5/2024 10:00 PM", "us", "2024-01-05T22:00:00Z"),
    ("1/5/2024 10:00pm", "us", "2024-01-05T22:00:00Z"),
    ("1/5/2024 10:00 p.m.", "us", "2024-01-05T22:00:00Z"),
    ("1/5/2024 12:00 AM", "us", "2024-01-05T00:00:00Z"),
    ("1/5/2024 12:30 PM", "us", "2024-01-05T12:30:00Z"),
    ("1/5/2024, 10:00:00.5", "us", "2024-01-05T10:00:00.500000Z"),
    ("1/5/2024T10:00", "us", "2024-01-05T10:00:00Z"),
    ("1/5/2024 10:00 +01:00", "us", "2024-01-05T09:00:00Z"),
    ("05.01.2024 10:00 UTC", "de", "2024-01-05T10:00:00Z"),
    ("05.01.2024 10:00 Z", "de", "2024-01-05T10:00:00Z"),
    # English month and weekday names
    ("Jan 5, 2024 10:00 AM", "us", "2024-01-05T10:00:00Z"),
    ("Jan 5, 2024 10:00 AM", "de", "2024-01-05T09:00:00Z"),
    ("Jan 5, 2024 1:05 PM", "us", "2024-01-05T13:05:00Z"),
    ("Jan 5, 2024", "eu", "2024-01-05T00:00:00Z"),
    ("Jan. 5, 2024", "us", "2024-01-05T00:00:00Z"),
    ("January 5th, 2024", "us", "2024-01-05T00:00:00Z"),
    ("Sept 5 2024", "us", "2024-09-05T00:00:00Z"),
    ("5 January 2024", "us", "2024-01-05T00:00:00Z"),
    ("5 January 2024", "de", "2024-01-04T23:00:00Z"),
    ("5th Jan 2024 10:00", "us", "2024-01-05T10:00:00Z"),
    ("05-Jan-2024", "us", "2024-01-05T00:00:00Z"),
    ("05-Jan-2024", "eu", "2024-01-05T00:00:00Z"),
    ("05-Jan-24", "us", "2024-01-05T00:00:00Z"),
    ("5 jan 2024", "us", "2024-01-05T00:00:00Z"),
    ("JAN 5, 2024", "us", "2024-01-05T00:00:00Z"),
    ("Fri, 05 Jan 2024 10:00:00 GMT", "us", "2024-01-05T10:00:00Z"),
    ("Fri, 05 Jan 2024 10:00:00 GMT", "de", "2024-01-05T10:00:00Z"),
    ("Fri, 05 Jan 2024 10:00:00 +0100", "us", "2024-01-05T09:00:00Z"),
    ("Fri, 05 Jan 2024 10:00:00 UT", "us", "2024-01-05T10:00:00Z"),
    ("Friday, January 5, 2024 at 10:00", "us", "2024-01-05T10:00:00Z"),
    ("Fri 5 Jan 2024", "us", "2024-01-05T00:00:00Z"),
    # the careful fallback (python-dateutil) for the rarer forms
    ("Fri Jan  5 10:00:00 2024", "us", "2024-01-05T10:00:00Z"),
    ("Fri Jan  5 10:00:00 2024", "de", "2024-01-05T09:00:00Z"),
    ("10:00 2024-01-05", "eu", "2024-01-05T10:00:00Z"),
    ("10:00 2024-03-04", "eu", "2024-03-04T10:00:00Z"),
    ("2024-01-05 10:00 A", "eu", "2024-01-05T10:00:00Z"),
    ("January 5 2024 10:00:00.123456789", "us", "2024-01-05T10:00:00.123456Z"),
    ("5 Jan 70", "us", "1970-01-05T00:00:00Z"),
    ("5 Jan 68 10:00", "us", "2068-01-05T10:00:00Z"),
    ("20240105T100000Z", "us", "2024-01-05T10:00:00Z"),
    ("2024-01-05T10:00:00.5 +01:00", "us", "2024-01-05T09:00:00.500000Z"),
    # the client's zone applies to naive times, with its summer time
    ("2024-07-05 10:00", "de", "2024-07-05T08:00:00Z"),
    ("2024-01-05 10:00", "ny", "2024-01-05T15:00:00Z"),
    ("2024-07-05 10:00", "ny", "2024-07-05T14:00:00Z"),
    ("2024-03-31 01:59:59", "de", "2024-03-31T00:59:59Z"),
    ("2024-03-31 03:00", "de", "2024-03-31T01:00:00Z"),
    ("2024-10-27 01:59", "de", "2024-10-26T23:59:00Z"),
    ("2024-10-27 03:00", "de", "2024-10-27T02:00:00Z"),
]


def ident(value, parser) -> str:
    return f"{brief(value, 40)}-{parser}"


@pytest.mark.parametrize("value, parser, expected", ACCEPTED, ids=[ident(v, p) for v, p, _ in ACCEPTED])
def test_accepted_timestamps(value, parser, expected):
    moment, warning = PARSERS[parser].parse(value)
    assert warning is None
    assert moment is not None and moment.utcoffset() is not None and not moment.utcoffset()
    assert timestamp_text(moment) == expected


# Wall times that do not exist or happen twice: the offset in force before the change, a warning.
DST = [
    ("2024-03-31 02:30", "2024-03-31T01:30:00Z", "nonexistent"),
    ("31.03.2024 02:00", "2024-03-31T01:00:00Z", "nonexistent"),
    ("2024-10-27 02:30", "2024-10-27T00:30:00Z", "ambiguous"),
    ("27.10.2024 02:00:00", "2024-10-27T00:00:00Z", "ambiguous"),
]


@pytest.mark.parametrize("text, expected, kind", DST, ids=[t for t, _, _ in DST])
def test_dst_gaps_and_folds_take_the_earlier_offset_with_a_warning(text, expected, kind):
    moment, warning = DE.parse(text)
    assert moment is not None and timestamp_text(moment) == expected
    assert warning is not None and kind in warning and "Europe/Berlin" in warning


# (value, parser, words the warning must contain)
REFUSED = [
    # zone abbreviations other than UTC, GMT and Z are not guessed
    ("2024-01-05 10:00 EST", "us", "'EST'"),
    ("2024-01-05T10:00:00 CET", "de", "'CET'"),
    ("Jan 5, 2024 10:00 AM PST", "us", "'PST'"),
    ("Fri, 05 Jan 2024 10:00:00 CET", "us", "'CET'"),
    ("05.01.2024 10:00 MEZ", "de", "'MEZ'"),
    ("2024-01-05 10:00 B", "us", "'B'"),
    ("2024-01-05T10:00:00 Europe/Berlin", "us", "'Europe/Berlin'"),
    ("2024-01-05T10:00:00+01:00 (CET)", "us", "'CET'"),
    ("Jan 5 2024 10:00 UTC+1", "us", "+01:00"),
    ("2024-01-05 10:00 GMT-5", "us", "+01:00"),
    # a date without a day, or without a year, is never completed from today's date
    ("2024-03", "us", "lacks"),
    ("March 2024", "us", "lacks"),
    ("Jan 2024", "eu", "lacks"),
    ("Jan 5", "us", "lacks"),
    ("5 Jan", "us", "lacks"),
    ("10:00", "us", "lacks"),
    ("Friday", "us", "lacks"),
    ("2024-03", "de", "lacks"),
    # impossible dates and times
    ("2024-02-30", "us", "not a real date"),
    ("2023-02-29", "us", "not a real date"),
    ("2024-13-01", "us", "not a real date"),
    ("2024-00-10", "us", "not a real date"),
    ("31/04/2024", "eu", "not a real date"),
    ("13/13/2024", "us", "not a real date"),
    ("2024/13/01", "eu", "not a real date"),
    ("2024-13-01T10:00:00Z", "eu", "not a real date"),
    ("2024-01-05T24:00:00", "us", "not a real date"),
    ("2024-01-05T10:60", "us", "not a real date"),
    ("2024-01-05T10:00:60", "us", "not a real date"),
    ("2024-01-05T10:00:00+24:00", "us", "not a real date"),
    ("Feb 30, 2024", "us", "not a real date"),
    ("1/5/2024 13:00 PM", "us", "not a real date"),
    ("1/5/2024 0:30 AM", "us", "not a real date"),
    ("1/2/3", "us", "not a real date"),
    ("1/2/202", "us", "not a real date"),
    ("Mon, 05 Jan 2024", "us", "Friday, not Mon"),
    ("Tue Jan  5 10:00:00 2024", "us", "Friday, not Tue"),
    ("0000-01-01", "us", "not a real date"),
    ("0001-01-01T00:00:00+01:00", "us", "outside the years"),
    ("9999-12-31T23:00:00-05:00", "us", "outside the years"),
    # not timestamps at all
    ("", "us", "empty"),
    ("   ", "us", "empty"),
    ("x" * 101, "us", "longer than 100"),
    ("today", "us", "not a date"),
    ("now", "us", "not a date"),
    ("yesterday", "us", "not a date"),
    ("1e5", "us", "not a date"),
    ("١٧٠٤٠٦٧٢٠٠", "us", "not a date"),
    ("2024-01-05Z", "us", "not a date"),
    ("sales", "us", "not a date"),
    (True, "us", "boolean"),
    (False, "us", "boolean"),
    ([2024, 1, 5], "us", "an array"),
    ({"date": "2024-01-05"}, "us", "an object"),
    # numbers out of range
    (10**17, "us", "too large"),
    (-(10**17), "us", "too large"),
    (10**5000, "us", "too large"),
    (1e300, "us", "too large"),
    (float("nan"), "us", "not a finite number"),
    (float("inf"), "us", "not a finite number"),
    (Decimal("NaN"), "us", "not a finite number"),
    (Decimal("sNaN"), "us", "not a finite number"),
    (-99_999_999_999, "us", "outside the years"),
    ("-99999999999999999", "us", "outside the years"),
]


@pytest.mark.parametrize("value, parser, words", REFUSED, ids=[ident(v, p) for v, p, _ in REFUSED])
def test_refused_timestamps_are_none_with_a_warning(value, parser, words):
    moment, warning = PARSERS[parser].parse(value)
    assert moment is None
    assert warning is not None and warning.startswith("timestamp")
    assert words in warning
    assert len(warning) < 250


def test_two_digit_years_follow_posix():
    assert [full_year(y) for y in (0, 24, 68, 69, 99)] == [2000, 2024, 2068, 1969, 1999]


def test_results_do_not_depend_on_what_was_parsed_before():
    """A parser keeps no state: any order of inputs gives the same answers (threads may share it)."""
    texts = [v for v, p, _ in ACCEPTED if p == "de"] + [v for v, p, _ in REFUSED if p == "de"] + \
        ["2024/01/05", "Jan 5, 2024 10:00 AM", "05.01.2024 10:00", "2024-01-05T10:00:00Z", 1704067200]
    fresh = {brief(t): TimestampParser(True, BERLIN).parse(t) for t in texts}
    shared = TimestampParser(True, BERLIN)
    for _ in range(3):
        random.Random(7).shuffle(texts)
        for text in texts:
            assert shared.parse(text) == fresh[brief(text)]


def test_remembered_results_are_the_same_as_fresh_ones(monkeypatch):
    monkeypatch.setattr("eventdesk.core.timestamps._RECENT_LIMIT", 3)
    parser = TimestampParser(True, BERLIN)
    texts = ["05.01.2024 10:00", "2024-01-05", "Jan 5, 2024", "2024-02-30", "05.01.2024 10:00", "x", "2024-01-05"]
    first = [parser.parse(t) for t in texts]
    assert first == [TimestampParser(True, BERLIN).parse(t) for t in texts]
    assert len(parser._recent) <= 3


def test_huge_texts_are_not_remembered():
    parser = TimestampParser()
    parser.parse(" " * 10_000 + "2024-01-05")
    assert parser._recent == {}
