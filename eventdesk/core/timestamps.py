"""Reading timestamps into UTC instants (design section 5, `timestamp`).

``TimestampParser.parse`` never raises: it returns an aware UTC datetime, or None with a
warning; ``read`` also says whether the value named a day alone (for query bounds). The common
layouts (ISO 8601 extended, numeric dates, English month names) take regex fast paths, then ISO
basic, week and ordinal dates (always year first); python-dateutil is the careful fallback for
the rest, asked twice with different defaults so that a missing year, month, day or time is
noticed rather than filled in. A parser holds
no state beyond its settings, so threads may share one. See docs/normalization.md.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import ROUND_FLOOR, Context, Decimal, InvalidOperation
from typing import Any, NamedTuple

from dateutil import parser as _dateutil_parser

from eventdesk.core.canonical import brief, json_type
from eventdesk.core.reasons import (
    TIMESTAMP_AMBIGUOUS,
    TIMESTAMP_EMPTY,
    TIMESTAMP_IMPOSSIBLE,
    TIMESTAMP_NO_DAY,
    TIMESTAMP_NONEXISTENT,
    TIMESTAMP_NOT_TIME,
    TIMESTAMP_OFFSET_AFTER_NAME,
    TIMESTAMP_OUT_OF_RANGE,
    TIMESTAMP_TOO_LONG,
    TIMESTAMP_UNPARSEABLE,
    TIMESTAMP_ZONE_ABBREVIATION,
    Problem,
)

UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_TEXT = 100  # longer text is not read at all
_RECENT_LIMIT = 4096  # texts whose results a parser remembers before it starts afresh

MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1)
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
         ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
         ("sun", "sunday")])
    for name in names
}
_UTC_NAMES = {"Z", "UTC", "GMT", "UT"}
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Result = tuple[datetime | None, str | None]
#: A layout's answer: the datetime (naive = local to the client), and whether it named a day only.
Found = tuple[datetime, bool]


class Reading(NamedTuple):
    """What ``TimestampParser.read`` found: the instant, a warning, and whether only a day was given."""

    moment: datetime | None
    warning: str | None
    date_only: bool


_ZONE = r"(?P<tz>Z|z|UTC|GMT|UT|[+-][0-9]{2}(?::?[0-9]{2})?)"
_ISO = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[Tt ](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]+))?)?"
    rf"\s*{_ZONE}?)?")
_TIME = (r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]+))?)?"
         rf"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?\s*{_ZONE}?")
_NUMERIC = re.compile(
    r"(?P<a>[0-9]{1,4})(?P<sep>[/.-])(?P<b>[0-9]{1,2})(?P=sep)(?P<c>[0-9]{1,4})"
    rf"(?:(?:[Tt]|,?\s+|,){_TIME})?")
_NAMED = re.compile(
    r"(?:(?P<wd>[A-Za-z]+)\.?,?\s+)?"
    r"(?:(?P<mon1>[A-Za-z]+)\.?\s+(?P<d1>[0-9]{1,2})(?:st|nd|rd|th)?,?\s+(?P<y1>[0-9]{4}|[0-9]{2})"
    r"|(?P<d2>[0-9]{1,2})(?:st|nd|rd|th)?(?:\s+|-)(?P<mon2>[A-Za-z]+)\.?,?(?:\s+|-)"
    r"(?P<y2>[0-9]{4}|[0-9]{2}))"
    rf"(?:,?\s+(?:at\s+)?{_TIME})?")
# ISO 8601 forms other than the extended calendar date: basic (20240105T1000), week
# (2024-W01-5) and ordinal (2024-005) dates; the basic calendar date needs a time, as all digits
# alone are Unix time.
_ISO_OTHER = re.compile(
    r"(?P<y>[0-9]{4})(?:(?P<mo>[0-9]{2})(?P<d>[0-9]{2})(?=[Tt ])|-(?P<mo2>[0-9]{2})-(?P<d2>[0-9]{2})"
    r"|-?W(?P<w>[0-9]{2})(?:-?(?P<wd>[0-9]))?|-?(?P<o>[0-9]{3}))"
    r"(?:[Tt ](?P<h>[0-9]{2})(?::?(?P<mi>[0-9]{2})(?::?(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]+))?)?)?"
    rf"\s*{_ZONE}?)?")
_EPOCH_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_YEAR_FIRST = re.compile(r"(?<![0-9])[0-9]{4}[-/. ][0-9]{1,2}[-/. ][0-9]{1,2}(?![0-9])")
# dateutil reads runs like 240105 or 05012024 as dates in an order it guesses: never let it
_DIGIT_RUN = re.compile(r"(?<![0-9.,])[0-9]{5,}")
_ZONE_WORD = re.compile(r"\b([A-Z]{2,5}|[A-Z][a-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)\b")
_OFFSET_AFTER_NAME = re.compile(r"\b(?:UTC|GMT|UT)\s*[+-]\s*[0-9]", re.IGNORECASE)
_WEEKDAY_WORD = re.compile(r"[A-Za-z]+")
_LIMITS = [(Decimal("1e11"), 1_000_000), (Decimal("1e14"), 1_000), (Decimal("1e17"), 1)]
# Rounds down, with room for every digit that matters below 1e17 µs: floors sub-µs digits exactly.
_FLOOR = Context(prec=60, rounding=ROUND_FLOOR)


class _Incomplete(ValueError):
    """The text is in a known layout but lacks a part of the date (a week without its day)."""


class _ForeignZone(Exception):
    """dateutil found a zone name that is not UTC, GMT or Z."""


class _PosixYears(_dateutil_parser.parserinfo):
    """Two-digit years as POSIX strptime reads them, not relative to today's date."""

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        if year < 100 and not century_specified:
            return full_year(year)
        return year


_PARSER_INFO = _PosixYears()
# Two defaults that differ in every part, so a part left out shows as a difference.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2, 1, 1, 1))


def full_year(year: int) -> int:
    """POSIX %y: 69-99 are 1969-1999, 00-68 are 2000-2068."""
    return 1900 + year if year >= 69 else 2000 + year


_OFFSETS: dict[str, tzinfo] = {name: UTC for name in ("Z", "z", "UTC", "GMT", "UT")}


def _offset(text: str | None) -> tzinfo | None:
    if text is None:
        return None
    zone = _OFFSETS.get(text)
    if zone is None:
        sign = -1 if text[0] == "-" else 1
        digits = text[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"offset {text} is out of range")
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        if len(_OFFSETS) < 1000:  # offsets are few; the cache saves building one per event
            _OFFSETS[text] = zone
    return zone


def _fraction(text: str | None) -> int:
    """Microseconds of a fraction of a second; digits beyond the sixth are dropped."""
    return int(text[:6].ljust(6, "0")) if text else 0


def _hour_12(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError(f"hour {hour} does not go with {ampm}")
    return (hour % 12) + (12 if ampm[0] in "Pp" else 0)


def _year(text: str) -> int:
    if len(text) == 2:
        return full_year(int(text))
    if len(text) != 4:
        raise ValueError(f"year {text!r} is not two or four digits")
    return int(text)


def _clock(m: re.Match[str], year: int, month: int, day: int) -> Found:
    """The datetime of a matched date and its optional time and zone groups."""
    if m["h"] is None:
        return datetime(year, month, day), True
    return datetime(year, month, day, _hour_12(int(m["h"]), m["ampm"]), int(m["mi"]),
                    int(m["s"] or 0), _fraction(m["f"]), tzinfo=_offset(m["tz"])), False


def _iso(text: str, dayfirst: bool) -> Found | None:
    m = _ISO.fullmatch(text)
    if m is None:
        return None
    y, mo, d, h, mi, s, f, tz = m.groups()
    if h is None:
        return datetime(int(y), int(mo), int(d)), True
    return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), _fraction(f), _offset(tz)), False


def _iso_other(text: str, dayfirst: bool) -> Found | None:
    """ISO 8601 basic, week and ordinal dates: always year first, whatever dayfirst says."""
    m = _ISO_OTHER.fullmatch(text)
    if m is None:
        return None
    year = int(m["y"])
    if m["w"] is not None:
        if m["wd"] is None:
            raise _Incomplete("a week without its day")
        day = datetime.fromisocalendar(year, int(m["w"]), int(m["wd"]))
    elif m["o"] is not None:
        ordinal = int(m["o"])
        if not 1 <= ordinal <= (366 if _leap(year) else 365):
            raise ValueError(f"day {ordinal} of {year} does not exist")
        day = datetime(year, 1, 1) + timedelta(days=ordinal - 1)
    else:
        day = datetime(year, int(m["mo"] or m["mo2"]), int(m["d"] or m["d2"]))
    if m["h"] is None:
        return day, True
    clock = datetime(day.year, day.month, day.day, int(m["h"]), int(m["mi"] or 0), int(m["s"] or 0),
                     _fraction(m["f"]), tzinfo=_offset(m["tz"]))
    return clock, False


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _numeric(text: str, dayfirst: bool) -> Found | None:
    m = _NUMERIC.fullmatch(text)
    if m is None:
        return None
    a, b, c = m["a"], m["b"], m["c"]
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        first, second = int(a), int(b)
        if first > 12 >= second or (dayfirst and not second > 12 >= first):
            day, month = first, second
        else:
            month, day = first, second
        year = _year(c)
    return _clock(m, year, month, day)


def _named(text: str, dayfirst: bool) -> Found | None:
    m = _NAMED.fullmatch(text)
    if m is None:
        return None
    month = MONTHS.get((m["mon1"] or m["mon2"]).lower())
    weekday_name = m["wd"]
    weekday = WEEKDAYS.get(weekday_name.lower()) if weekday_name else None
    if month is None or (weekday_name and weekday is None):
        return None
    found = _clock(m, _year(m["y1"] or m["y2"]), month, int(m["d1"] or m["d2"]))
    if weekday is not None and found[0].weekday() != weekday:
        raise ValueError(f"that day is a {_WEEKDAY_NAMES[found[0].weekday()]}, not {weekday_name}")
    return found


#: Each layout returns a Found (naive datetime = local to the client), None when the text is
#: not in its layout, or raises ValueError when it is but names an impossible date or time.
#: Where two layouts accept the same text they agree, so the order is only about speed.
LAYOUTS: tuple[Callable[[str, bool], Found | None], ...] = (_iso, _numeric, _named, _iso_other)


class TimestampParser:
    """Parses timestamps with one client's settings: day-first order and time zone."""

    def __init__(self, dayfirst: bool = False, zone: tzinfo = UTC) -> None:
        self.dayfirst = dayfirst
        self.zone = zone
        # Results of recent texts (immutable, so threads may share them): streams repeat dates.
        self._recent: dict[str, Result] = {}

    def parse(self, value: Any) -> Result:
        """Read a timestamp; returns (UTC datetime, None) or (None, warning)."""
        kind = type(value)
        if kind is str:
            result = self._recent.get(value)
            if result is None:
                moment, warning, _ = self._parse_text(value)
                result = (moment, warning)
                if len(value) <= MAX_TEXT:  # never keep a huge key alive
                    if len(self._recent) >= _RECENT_LIMIT:
                        self._recent = {}
                    self._recent[value] = result
            return result
        if kind is int or kind is Decimal or kind is float:
            return self._epoch(value)
        if isinstance(value, bool):
            return None, Problem(TIMESTAMP_NOT_TIME, f"timestamp {brief(value)} is a boolean")
        if isinstance(value, str):
            return self._parse_text(str(value))[:2]
        if isinstance(value, (int, float, Decimal)):
            return self._epoch(value)
        return None, Problem(TIMESTAMP_NOT_TIME, f"timestamp is {json_type(value)}, not text or a number")

    def read(self, value: Any) -> Reading:
        """As ``parse``, and also whether the value named a day alone (``2024-01-05``, not an instant)."""
        if isinstance(value, str):
            return Reading(*self._parse_text(str(value)))
        return Reading(*self.parse(value), False)

    def _parse_text(self, value: str) -> tuple[datetime | None, str | None, bool]:
        text = value.strip()
        if not text:
            return None, Problem(TIMESTAMP_EMPTY, "timestamp is empty text"), False
        if len(text) > MAX_TEXT:
            return None, Problem(TIMESTAMP_TOO_LONG,
                                 f"timestamp text is longer than {MAX_TEXT} characters"), False
        if _EPOCH_TEXT.fullmatch(text):
            return (*self._epoch(text, value), False)
        try:
            for layout in LAYOUTS:
                found = layout(text, self.dayfirst)
                if found is not None:
                    return (*self._to_utc(found[0], value), found[1])
        except _Incomplete as exc:
            return None, Problem(TIMESTAMP_NO_DAY,
                                 f"timestamp {brief(value)} lacks a year, month or day ({exc})"), False
        except (ValueError, OverflowError) as exc:
            return None, Problem(TIMESTAMP_IMPOSSIBLE,
                                 f"timestamp {brief(value)} is not a real date or time ({exc})"), False
        return self._fallback(text, value)

    def _epoch(self, value: Any, shown: Any = None) -> Result:
        """Unix time in seconds, milliseconds or microseconds, told apart by magnitude."""
        shown = value if shown is None else shown
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (InvalidOperation, ValueError, TypeError):
            return None, Problem(TIMESTAMP_UNPARSEABLE, f"timestamp {brief(shown)} is not a number")
        if not number.is_finite():
            return None, Problem(TIMESTAMP_UNPARSEABLE, f"timestamp {brief(shown)} is not a finite number")
        magnitude = number.copy_abs()  # exact: abs() rounds to the context's 28 digits
        for limit, scale in _LIMITS:
            if magnitude < limit:
                micros = _FLOOR.to_integral_value(_FLOOR.multiply(number, scale))
                break
        else:
            return None, Problem(TIMESTAMP_OUT_OF_RANGE,
                                 f"timestamp {brief(shown)} is too large for seconds, ms or µs since 1970")
        try:
            return _EPOCH + timedelta(microseconds=int(micros)), None
        except OverflowError:
            return None, Problem(TIMESTAMP_OUT_OF_RANGE,
                                 f"timestamp {brief(shown)} is outside the years 1 to 9999")

    def _to_utc(self, moment: datetime, shown: Any) -> Result:
        warning = None
        if moment.tzinfo is None:
            moment, warning = self._localize(moment, shown)
        if moment.tzinfo is UTC:
            return moment, warning
        try:
            return moment.astimezone(UTC), warning
        except OverflowError:
            return None, Problem(TIMESTAMP_OUT_OF_RANGE,
                                 f"timestamp {brief(shown)} is outside the years 1 to 9999")

    def _localize(self, naive: datetime, shown: Any) -> tuple[datetime, str | None]:
        """The client's zone applied to a wall time; a gap or fold takes the earlier offset."""
        if self.zone is UTC:
            return naive.replace(tzinfo=UTC), None
        early = naive.replace(tzinfo=self.zone)
        late = naive.replace(tzinfo=self.zone, fold=1)
        if early.utcoffset() == late.utcoffset():
            return early, None
        try:  # a round trip tells a gap (never happened) from a fold (happened twice)
            back = early.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None)
        except OverflowError:
            return early, None
        kind = "ambiguous (it happened twice)" if back == naive else "nonexistent (skipped by a clock change)"
        code = TIMESTAMP_AMBIGUOUS if back == naive else TIMESTAMP_NONEXISTENT
        return early, Problem(code, f"timestamp {brief(shown)} is {kind} in {self.zone}; "
                                    f"the offset before the change ({_offset_text(early)}) was used")

    def _fallback(self, text: str, shown: Any) -> tuple[datetime | None, str | None, bool]:
        problem = _zone_problem(text)
        if problem:
            return None, Problem(problem.code, f"timestamp {brief(shown)} {problem}"), False
        run = _DIGIT_RUN.search(text)
        if run:
            return None, Problem(TIMESTAMP_UNPARSEABLE, f"timestamp {brief(shown)} is not a date this tool"
                                 f" can read ({run.group()!r} is not a day, time or year)"), False
        yearfirst = _YEAR_FIRST.search(text) is not None  # an ISO-style date is always Y-M-D
        try:
            one, two = (_dateutil_parser.parse(
                text, parserinfo=_PARSER_INFO, default=default, dayfirst=self.dayfirst and not yearfirst,
                yearfirst=yearfirst, tzinfos=_dateutil_zone) for default in _DEFAULTS)
        except _ForeignZone as exc:
            return None, Problem(TIMESTAMP_ZONE_ABBREVIATION,
                                 f"timestamp {brief(shown)} names the time zone {str(exc)!r}, which is not guessed"), False
        except Exception:  # dateutil raises several types; any of them means "cannot read"
            return None, Problem(TIMESTAMP_UNPARSEABLE,
                                 f"timestamp {brief(shown)} is not a date this tool can read"), False
        if (one.year, one.month, one.day) != (two.year, two.month, two.day):
            return None, Problem(TIMESTAMP_NO_DAY,
                                 f"timestamp {brief(shown)} lacks a year, month or day"), False
        mismatch = _weekday_mismatch(text, one)
        if mismatch:
            return None, Problem(TIMESTAMP_IMPOSSIBLE,
                                 f"timestamp {brief(shown)} is not a real date or time ({mismatch})"), False
        return (*self._to_utc(one, shown), one.hour != two.hour)  # the hour came from the default


def _offset_text(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _dateutil_zone(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's zone callback: offsets and UTC/GMT/Z are fine, any other name is refused."""
    if name is not None and name.upper() not in _UTC_NAMES:
        raise _ForeignZone(name)
    if offset is None:
        return UTC if name is not None else None
    return timezone(timedelta(seconds=offset))


def _zone_problem(text: str) -> Problem | None:
    """Why a zone written in the text cannot be used, if it cannot."""
    if _OFFSET_AFTER_NAME.search(text):
        return Problem(TIMESTAMP_OFFSET_AFTER_NAME,
                       "writes an offset after UTC/GMT, whose sign conventions disagree; write +01:00")
    for word in _ZONE_WORD.findall(text):
        lower = word.lower()
        if word in _UTC_NAMES or word in ("AM", "PM") or lower in MONTHS or lower in WEEKDAYS:
            continue
        return Problem(TIMESTAMP_ZONE_ABBREVIATION, f"names the time zone {word!r}, which is not guessed")
    return None


def _weekday_mismatch(text: str, moment: datetime) -> str | None:
    for word in _WEEKDAY_WORD.findall(text):
        weekday = WEEKDAYS.get(word.lower())
        if weekday is not None and weekday != moment.weekday():
            return f"that day is a {_WEEKDAY_NAMES[moment.weekday()]}, not {word}"
    return None


# -- provenance (core/provenance.py): the same reading, with the rule that made it in words

_EPOCH_UNITS = ("epoch seconds", "epoch milliseconds", "epoch microseconds")


def read_timestamp_with_rule(parser: TimestampParser, value: Any) -> tuple[datetime | None, str | None, str | None]:
    """``parser.parse``'s (moment, warning), and the rule that read it in words (None when unread)."""
    moment, problem = parser.parse(value)
    return moment, problem, (None if moment is None else timestamp_rule(parser, value))


def timestamp_rule(parser: TimestampParser, value: Any) -> str:
    """Words for the layout that reads a timestamp, e.g. ``day-first dd.mm.yyyy HH:MM in Europe/Berlin``."""
    if not isinstance(value, str):  # a number: booleans never get here, they are not times
        return _epoch_unit(Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
    text = str(value).strip()
    if _EPOCH_TEXT.fullmatch(text):
        return _epoch_unit(Decimal(text)) + " (as text)"
    zone = str(parser.zone)
    for layout, describe in _DESCRIBERS:
        if layout(text, parser.dayfirst) is not None:  # the same first layout that parse took
            return describe(text, parser.dayfirst, zone)
    return "python-dateutil fallback" + ("" if _ZONE_IN_TEXT.search(text) else f", in {zone}")


def _epoch_unit(number: Decimal) -> str:
    magnitude = number.copy_abs()
    return next(unit for (limit, _), unit in zip(_LIMITS, _EPOCH_UNITS) if magnitude < limit)


_ZONE_IN_TEXT = re.compile(r"[+-][0-9]{2}:?[0-9]{2}$|\b(?:Z|UTC|GMT|UT)\b", re.IGNORECASE)


def _where(m: re.Match[str], zone: str) -> str:
    """The zone part of a rule: the offset or UTC the text names, else the client's zone."""
    if m["h"] is None:
        return f", midnight in {zone}"
    tz = m["tz"]
    if tz is None:
        return f" in {zone}"
    return " with offset" if tz[0] in "+-" else f" in UTC ({tz})"


def _clock_words(m: re.Match[str]) -> str:
    if m["h"] is None:
        return ""
    ampm = " AM/PM" if "ampm" in m.re.groupindex and m["ampm"] else ""
    return " HH:MM" + (":SS" if m["s"] else "") + (".fff" if m["f"] else "") + ampm


def _describe_iso(text: str, dayfirst: bool, zone: str) -> str:
    m = _ISO.fullmatch(text)
    assert m is not None
    return ("ISO 8601" if m["h"] is not None else "ISO 8601 date") + _where(m, zone)


def _describe_numeric(text: str, dayfirst: bool, zone: str) -> str:
    m = _NUMERIC.fullmatch(text)
    assert m is not None
    sep, year = m["sep"], "yyyy" if len(m["c"]) == 4 else "yy"
    if len(m["a"]) == 4:
        order = f"year-first yyyy{sep}mm{sep}dd"
    else:
        first, second = int(m["a"]), int(m["b"])
        if first > 12 >= second or (dayfirst and not second > 12 >= first):
            order = f"day-first dd{sep}mm{sep}{year}" + ("" if dayfirst else f" ({first} is no month)")
        else:
            order = f"month-first mm{sep}dd{sep}{year}" + (f" ({second} is no month)" if dayfirst else "")
    return order + _clock_words(m) + _where(m, zone)


def _describe_named(text: str, dayfirst: bool, zone: str) -> str:
    m = _NAMED.fullmatch(text)
    assert m is not None
    words = "month name" + (" with weekday" if m["wd"] else "")
    return words + _clock_words(m) + _where(m, zone)


def _describe_iso_other(text: str, dayfirst: bool, zone: str) -> str:
    m = _ISO_OTHER.fullmatch(text)
    assert m is not None
    kind = "week date" if m["w"] is not None else "ordinal date" if m["o"] is not None else "basic format"
    return f"ISO 8601 {kind}" + _where(m, zone)


_DESCRIBERS: tuple[tuple[Callable[[str, bool], Found | None], Callable[[str, bool, str], str]], ...] = (
    (_iso, _describe_iso), (_numeric, _describe_numeric), (_named, _describe_named),
    (_iso_other, _describe_iso_other))
assert tuple(layout for layout, _ in _DESCRIBERS) == LAYOUTS  # one describer per layout, in parse's order
