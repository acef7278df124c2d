"""Timestamps read into their stored form (epoch microseconds, UTC text) for one client.

The common layouts are read by hand: strict subsets of the layouts of ``core.timestamps``,
read with the same rules (year first for ISO, the day-first rule for numeric dates, POSIX
two-digit years, 12-hour clocks). A wall time is placed in the client's zone as the exact path
does; a DST gap or fold, an out-of-range year or any other layout goes to
``TimestampParser.parse``, which has the last word. Results are remembered per text.
"""
from __future__ import annotations

import functools
import re
from datetime import date, datetime, timezone, tzinfo
from typing import Any, Optional

from eventdesk.core.aggregation import epoch_micros
from eventdesk.core.canonical import timestamp_text
from eventdesk.core.timestamps import MONTHS, TimestampParser, full_year

_Day = tuple[int, int, int, int]  # days since 1970-01-01, year, month, day
StoredMoment = tuple[int, str]  # microseconds since 1970 UTC, YYYY-MM-DDTHH:MM:SS[.ffffff]Z

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_FIRST_DAY, _LAST_DAY = 1 - _EPOCH_ORDINAL, date.max.toordinal() - _EPOCH_ORDINAL
_MINUTES = [f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)]
_SECONDS = [f":{s:02d}" for s in range(60)]
_RECENT_LIMIT = 4096  # texts remembered per client before starting afresh
_MAX_TEXT = 100  # as core.timestamps: longer texts are never kept
_UNSURE = object()
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
                  r"(Z|[+-][0-9]{2}:[0-9]{2})?)?")
_YEAR_SEPARATORS = ("-", "/", ".")  # at index 4 of a text that starts with a 4-digit year
_ISO_Z = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_YMD = re.compile(r"([0-9]{4})([/.-])([0-9]{1,2})\2([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})(?:[T ]([0-9]{1,2}:[0-9]{2})(?::([0-9]{2}))?)?")
_NAMED = re.compile(r"([A-Za-z]{3,9}) ([0-9]{1,2}), ([0-9]{4})(?: ([0-9]{1,2}:[0-9]{2}) ([AP]M))?")
# every valid "HH:MM" and "H:MM" with its seconds since midnight, and every valid "SS"
_HOUR_MINUTE = {f"{h:{w}}:{m:02d}": h * 3600 + m * 60 for h in range(24) for m in range(60) for w in ("02d", "d")}
_SECOND = {f"{s:02d}": s for s in range(60)}


class ClientClock:
    """One client's timestamp reading: its zone and day order, its exact parser, recent texts."""

    def __init__(self, dayfirst: bool, zone: tzinfo) -> None:
        self.dayfirst = dayfirst
        self.zone = zone
        self.parser = TimestampParser(dayfirst, zone)
        self._recent: dict[str, Optional[StoredMoment]] = {}
        self._days: dict[str, _Day] = {}  # date texts and their days

    def stored(self, value: Any) -> Optional[StoredMoment]:
        """The stored form of a timestamp, or None where the exact path warns about it."""
        kind = type(value)
        if kind is str:
            found = self._recent.get(value, _UNSURE)
            if found is _UNSURE:
                found = self._text(value)
                if len(value) <= _MAX_TEXT:
                    if len(self._recent) >= _RECENT_LIMIT:
                        self._recent = {}
                    self._recent[value] = found
            return found  # type: ignore[return-value]
        if kind is int:
            return self._epoch(value)
        return self._exact(value)

    def _text(self, value: str) -> Optional[StoredMoment]:
        try:
            found = self._read(value)
        except (ValueError, OverflowError):  # an impossible date or year: the exact path says why
            found = None
        return self._exact(value) if found is None else found

    def _exact(self, value: Any) -> Optional[StoredMoment]:
        moment, problem = self.parser.parse(value)
        if problem is not None or moment is None:
            return None
        return epoch_micros(moment), timestamp_text(moment)  # type: ignore[return-value]

    def _epoch(self, value: int) -> Optional[StoredMoment]:
        """As ``TimestampParser._epoch`` for an int: seconds, ms or µs told apart by magnitude."""
        magnitude = abs(value)
        if magnitude < 10**11:
            micros = value * 1_000_000
        elif magnitude < 10**14:
            micros = value * 1_000
        elif magnitude < 10**17:
            micros = value
        else:
            return None
        day, rest = divmod(micros, 86_400_000_000)
        seconds, micros_left = divmod(rest, 1_000_000)
        found = _utc(day, seconds, micros_left)
        return None if found is None else (micros, found[1])

    def _read(self, text: str) -> Optional[StoredMoment]:
        """The stored form of a text in a common layout, or None when unsure.

        The layouts below are told apart by their first characters, so the order of the tries is
        only about speed (where two accept a text, ISO and year-first, they read it alike).
        """
        if text[:1].isalpha():
            return self._named(text)
        if text[4:5] in _YEAR_SEPARATORS:
            if len(text) == 20 and _ISO_Z.fullmatch(text):  # the commonest: its own stored text
                known = self._days.get(text[:10]) or self._date(text[:10], text[:4], text[5:7], text[8:10])
                clock, second = _HOUR_MINUTE.get(text[11:16]), _SECOND.get(text[17:19])
                if clock is None or second is None:
                    return None
                return (known[0] * 86_400 + clock + second) * 1_000_000, text
            m = _ISO.fullmatch(text)
            if m is not None:
                return self._iso(text, m)
            m = _YMD.fullmatch(text)
            if m is not None:
                return self._local(self._days.get(text) or self._date(text, m[1], m[3], m[4]), 0, 0)
        m = _DMY.fullmatch(text)
        if m is None:
            return None
        date_text = text[:m.end(4)]
        known = self._days.get(date_text) or self._date(date_text, *self._numeric_date(m[1], m[3], m[4]))
        if m[5] is None:
            return self._local(known, 0, 0)
        clock, second = _HOUR_MINUTE.get(m[5]), _SECOND.get(m[6] or "00")
        if clock is None or second is None:
            return None
        return self._local(known, clock + second, 0)

    def _iso(self, text: str, m: re.Match[str]) -> Optional[StoredMoment]:
        y, mo, d, h, mi, s, f, tz = m.groups()
        known = self._days.get(text[:10]) or self._date(text[:10], y, mo, d)
        if h is None:
            return self._local(known, 0, 0)
        seconds = _clock_seconds(int(h), int(mi), int(s or 0))
        micros = int(f[:6].ljust(6, "0")) if f else 0
        if tz is None:
            return self._local(known, seconds, micros)
        if tz == "Z":
            return _utc(known[0], seconds, micros)
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        if hours > 23 or minutes > 59:
            return None
        offset = hours * 3600 + minutes * 60
        return _utc(known[0], seconds - offset if tz[0] == "+" else seconds + offset, micros)

    def _named(self, text: str) -> Optional[StoredMoment]:
        m = _NAMED.fullmatch(text)
        if m is None:
            return None
        month = MONTHS.get(m[1].lower())
        if month is None:
            return None
        known = self._days.get(text[:m.end(3)]) or self._date(text[:m.end(3)], m[3], str(month), m[2])
        if m[4] is None:
            return self._local(known, 0, 0)
        clock = _HOUR_MINUTE.get(m[4])
        if clock is None or not 1 <= clock // 3600 <= 12:
            return None  # a 12-hour clock has hours 1 to 12: the exact path says so
        return self._local(known, clock % 43_200 + (43_200 if m[5] == "PM" else 0), 0)

    def _numeric_date(self, first_text: str, second_text: str, year_text: str) -> tuple[int, int, int]:
        """Year, month and day of ``a.b.year``: as ``core.timestamps._numeric`` orders them."""
        first, second = int(first_text), int(second_text)
        if first > 12 >= second or (self.dayfirst and not second > 12 >= first):
            day, month = first, second
        else:
            month, day = first, second
        return (full_year(int(year_text)) if len(year_text) == 2 else int(year_text)), month, day

    def _date(self, text: str, year: int | str, month: int | str, day: int | str) -> _Day:
        """Days since 1970-01-01 of a calendar day, and the day (ValueError for an impossible one)."""
        y, mo, d = int(year), int(month), int(day)
        known = (date(y, mo, d).toordinal() - _EPOCH_ORDINAL, y, mo, d)
        if len(self._days) >= _RECENT_LIMIT:
            self._days = {}
        self._days[text] = known
        return known

    def _local(self, known: _Day, seconds: int, micros: int) -> Optional[StoredMoment]:
        """A wall time (second of the day) in the client's zone in stored form; None in a DST gap or fold."""
        zone = self.zone
        if zone is timezone.utc:
            return _utc(known[0], seconds, micros)
        _, year, month, day = known
        hour, rest = divmod(seconds, 3600)
        minute, second = divmod(rest, 60)
        early = zone.utcoffset(datetime(year, month, day, hour, minute, second, micros))
        if (early is None or early.microseconds
                or early != zone.utcoffset(datetime(year, month, day, hour, minute, second, micros, fold=1))):
            return None
        return _utc(known[0], seconds - early.days * 86_400 - early.seconds, micros)


def _clock_seconds(hour: int, minute: int, second: int) -> int:
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("not a time of day")  # as datetime() refuses it
    return hour * 3600 + minute * 60 + second


def _utc(day: int, seconds: int, micros: int) -> Optional[StoredMoment]:
    """Stored form of a UTC day and second of day (seconds may spill into the days around it)."""
    total = day * 86_400 + seconds
    day, seconds = divmod(total, 86_400)
    if not _FIRST_DAY <= day <= _LAST_DAY:
        return None  # outside the years 1 to 9999: the exact path says so
    minute, second = divmod(seconds, 60)
    text = _day_text(day) + "T" + _MINUTES[minute] + _SECONDS[second]
    return (total * 1_000_000 + micros,
            text + ("Z" if not micros else "." + str(micros).rjust(6, "0") + "Z"))


@functools.lru_cache(maxsize=8192)
def _day_text(day: int) -> str:
    return _date_of(day).isoformat()


@functools.lru_cache(maxsize=8192)
def _date_of(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)
