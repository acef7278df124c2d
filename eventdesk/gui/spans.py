"""The span of the data (first and last moment), read with two one-row pages per table, so the
time filters can start where the data is rather than at today's date."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from eventdesk.core.queries import NormalizedQuery, Page, RawQuery

Span = tuple[Optional[datetime], Optional[datetime]]
_EVERY_DATED = NormalizedQuery(time_from=datetime(1, 1, 2, tzinfo=timezone.utc))  # leaves out undated events


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


def received_span(app: Any) -> Span:
    """Runs in the pool: when the first and the last raw event arrived."""
    ends = [app.store.query_raw(RawQuery(), Page("received_at", descending, None, 1)) for descending in (False, True)]
    return (parse_time(ends[0][0].received_at) if ends[0] else None,
            parse_time(ends[1][0].received_at) if ends[1] else None)


def timestamp_span(app: Any) -> Span:
    """Runs in the pool: the earliest and latest normalized timestamp."""
    ends = [app.store.query_normalized(_EVERY_DATED, Page("timestamp", descending, None, 1))
            for descending in (False, True)]
    return (parse_time(ends[0][0].timestamp) if ends[0] else None,
            parse_time(ends[1][0].timestamp) if ends[1] else None)
