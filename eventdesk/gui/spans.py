"""The span of the data (first and last moment), read with two one-row pages per table, so the
time filters can start where the data is rather than at today's date."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional

Span = tuple[Optional[datetime], Optional[datetime]]


def day_range_of(span: Optional[Span]) -> Span:
    """The whole days a span touches: (first day's start, the day after the last day)."""
    if not span or span[0] is None or span[1] is None:
        return None, None
    first = span[0].replace(hour=0, minute=0, second=0, microsecond=0)
    last = span[1].replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return first, last


def parse_time(text: Optional[str]) -> Optional[datetime]:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


def span_of_texts(ends: tuple[Optional[str], Optional[str]]) -> Span:
    """The (first, last) ISO texts a query service gives, as moments."""
    return parse_time(ends[0]), parse_time(ends[1])
