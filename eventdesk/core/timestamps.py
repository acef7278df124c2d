"""Reading timestamps into UTC instants (design section 5, `timestamp`).

``TimestampParser.parse`` never raises: it returns an aware UTC datetime, or None with a
warning. The common layouts take regex fast paths; python-dateutil is the careful fallback
for the rest, asked twice with different defaults so that a missing part is noticed rather
than filled in.
"""
from __future__ import annotations

import re
import warnings as _warnings
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Optional

from dateutil import parser as _dateutil_parser

UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1)
    for name in names
}
WEEKDAYS = {"mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur",
            "thurs", "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday"}
_UTC_NAMES = {"Z", "UTC", "GMT", "UT"}

Result = tuple[Optional[datetime], Optional[str]]

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?")
_NUMERIC = re.compile(
    r"(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})"
    r"(?:[T ,]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([AaPp]\.?[Mm]\.?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?")
_NAMED = re.compile(
    r"(?:(?P<wd>[A-Za-z]+)\.?,?\s+)?"
    r"(?:(?P<mon1>[A-Za-z]+)\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:\s+|-)(?P<mon2>[A-Za-z]+)\.?,?(?:\s+|-)(?P<y2>\d{4}))"
    r"(?:,?\s+(?:at\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|UT|[+-]\d{2}:?\d{2})?")
_ALL_DIGITS = re.compile(r"[+-]?\d+(?:\.\d+)?")
_ZONE_WORD = re.compile(r"\b([A-Z]{2,5}|[A-Z][a-z]+/[A-Za-z_]+)\b")


def _offset(text: str | None) -> tzinfo | None:
    if text is None:
        return None
    if text.upper() in _UTC_NAMES:
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset {text} is out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _fraction(text: str | None) -> int:
    return int((text or "0")[:6].ljust(6, "0"))


def _hour_12(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError(f"hour {hour} does not go with {ampm}")
    pm = ampm[0] in "Pp"
    return (hour % 12) + (12 if pm else 0)


def _full_year(year_text: str) -> int:
    year = int(year_text)
    if len(year_text) == 2:  # POSIX %y convention: 69-99 -> 19xx, 00-68 -> 20xx
        return 1900 + year if year >= 69 else 2000 + year
    if len(year_text) != 4:
        raise ValueError(f"year {year_text!r} is not two or four digits")
    return year


class TimestampParser:
    """Parses timestamps for one client's settings; remembers which layout last worked."""

    def __init__(self, dayfirst: bool = False, zone: tzinfo = UTC) -> None:
        self.dayfirst = dayfirst
        self.zone = zone
        self._layouts: list[Callable[[str], Optional[datetime]]] = [
            self._iso, self._numeric, self._named]

    def parse(self, value: Any) -> Result:
        """Read a timestamp; returns (UTC datetime, None) or (None, warning)."""
        if isinstance(value, bool):
            return None, f"timestamp {value!r} is a boolean"
        if isinstance(value, (int, float, Decimal)):
            return self._epoch(value)
        if not isinstance(value, str):
            return None, f"timestamp has type {type(value).__name__}, not text or a number"
        text = value.strip()
        if not text:
            return None, "timestamp is empty text"
        if len(text) > 100:
            return None, "timestamp text is longer than 100 characters"
        if _ALL_DIGITS.fullmatch(text):
            return self._epoch(text)
        try:
            for index, layout in enumerate(self._layouts):
                moment = layout(text)
                if moment is not None:
                    if index:  # try this client's working layout first next time
                        self._layouts.insert(0, self._layouts.pop(index))
                    return self._to_utc(moment, value)
        except (ValueError, OverflowError) as exc:
            return None, f"timestamp {value!r} is not a real date or time ({exc})"
        return self._fallback(text, value)

    # -- layouts: each returns a datetime (naive = local to the client), None if not its
    # layout, or raises ValueError when it is its layout but the date is impossible.

    def _iso(self, text: str) -> Optional[datetime]:
        m = _ISO.fullmatch(text)
        if m is None:
            return None
        y, mo, d, h, mi, s, f, tz = m.groups()
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                        _fraction(f), tzinfo=_offset(tz))

    def _numeric(self, text: str) -> Optional[datetime]:
        m = _NUMERIC.fullmatch(text)
        if m is None:
            return None
        a, _, b, c, h, mi, s, f, ampm, tz = m.groups()
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        else:
            first, second = int(a), int(b)
            if first > 12 >= second:
                day, month = first, second
            elif second > 12 >= first:
                month, day = first, second
            elif self.dayfirst:
                day, month = first, second
            else:
                month, day = first, second
            year = _full_year(c)
        hour = _hour_12(int(h or 0), ampm)
        return datetime(year, month, day, hour, int(mi or 0), int(s or 0), _fraction(f),
                        tzinfo=_offset(tz))

    def _named(self, text: str) -> Optional[datetime]:
        m = _NAMED.fullmatch(text)
        if m is None:
            return None
        if m["wd"] and m["wd"].lower() not in WEEKDAYS:
            return None
        month_name = (m["mon1"] or m["mon2"]).lower()
        if month_name not in MONTHS:
            return None
        day, year = int(m["d1"] or m["d2"]), int(m["y1"] or m["y2"])
        hour = _hour_12(int(m["h"] or 0), m["ampm"])
        return datetime(year, MONTHS[month_name], day, hour, int(m["mi"] or 0), int(m["s"] or 0),
                        _fraction(m["f"]), tzinfo=_offset(m["tz"]))

    # -- the rest

    def _epoch(self, value: Any) -> Result:
        try:
            number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
        except (InvalidOperation, ValueError):
            return None, f"timestamp {value!r} is not a number"
        if not number.is_finite():
            return None, f"timestamp {value!r} is not a finite number"
        magnitude = abs(number)
        if magnitude < Decimal("1e11"):
            micros = number * 1_000_000
        elif magnitude < Decimal("1e14"):
            micros = number * 1_000
        elif magnitude < Decimal("1e17"):
            micros = number
        else:
            return None, f"timestamp {value!r} is too large for seconds, ms or µs since 1970"
        try:
            return _EPOCH + timedelta(microseconds=int(micros)), None
        except OverflowError:
            return None, f"timestamp {value!r} is outside the years 1 to 9999"

    def _to_utc(self, moment: datetime, shown: Any) -> Result:
        warning = None
        if moment.tzinfo is None:
            moment, warning = self._localize(moment, shown)
        try:
            return moment.astimezone(UTC), warning
        except OverflowError:
            return None, f"timestamp {shown!r} is outside the years 1 to 9999"

    def _localize(self, naive: datetime, shown: Any) -> tuple[datetime, str | None]:
        if self.zone is UTC:
            return naive.replace(tzinfo=UTC), None
        early = naive.replace(tzinfo=self.zone, fold=0)
        late = naive.replace(tzinfo=self.zone, fold=1)
        if early.utcoffset() == late.utcoffset():
            return early, None
        # round trip tells a gap (the wall time never happened) from a fold (it happened twice)
        back = early.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None)
        kind = "ambiguous (happened twice)" if back == naive else "nonexistent (skipped)"
        return early, f"timestamp {shown!r} is {kind} in {self.zone}; the earlier offset was used"

    def _fallback(self, text: str, shown: Any) -> Result:
        zone = _foreign_zone(text)
        if zone:
            return None, f"timestamp {shown!r} names the time zone {zone!r}, which is not guessed"
        try:
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                one = _dateutil_parser.parse(text, default=datetime(2001, 1, 1), dayfirst=self.dayfirst)
                two = _dateutil_parser.parse(text, default=datetime(2002, 2, 2), dayfirst=self.dayfirst)
        except (ValueError, OverflowError, TypeError):
            return None, f"timestamp {shown!r} is not a date this tool can read"
        if (one.year, one.month, one.day) != (two.year, two.month, two.day):
            return None, f"timestamp {shown!r} lacks a year, month or day"
        if one.tzinfo is not None and one.utcoffset() is None:
            return None, f"timestamp {shown!r} has a time zone that is not understood"
        return self._to_utc(one, shown)


def _foreign_zone(text: str) -> str | None:
    """A zone abbreviation or name other than UTC/GMT/Z in the text, if any."""
    for word in _ZONE_WORD.findall(text):
        upper = word.upper()
        if upper in _UTC_NAMES or upper in ("AM", "PM", "T") or upper.lower() in MONTHS \
                or upper.lower() in WEEKDAYS:
            continue
        if word.isupper() or "/" in word:
            return word
    return None
