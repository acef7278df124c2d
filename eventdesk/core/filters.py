"""Query filters read from a user's text by the very rules that normalise events.

A filter on client, metric or time is compared with stored canonical values, so its text goes
through the same function as the event's field did: ``client_filter`` trims like the source,
``metric_filter`` collapses blanks and lower-cases like the metric, and ``time_bound`` reads any
form the normalizer reads. Bounds have no client context: month first (``dayfirst`` false)
and UTC. A bound that names a day alone covers that whole day; an instant is taken as it is.
Every function raises ValueError with a one-line reason for text no event could match.
See docs/normalization.md, section 10.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from eventdesk.core.normalizer import client_id_of, read_metric
from eventdesk.core.timestamps import TimestampParser

_BOUNDS = TimestampParser(dayfirst=False, zone=timezone.utc)  # no client: the defaults


def client_filter(text: str) -> str:
    """The client id a source written like ``text`` is stored under."""
    client_id = client_id_of(text)
    if not client_id:
        raise ValueError("the client filter is empty")
    return client_id


def metric_filter(text: str) -> str:
    """The metric a payload's metric written like ``text`` is stored as."""
    metric, problem = read_metric(text)
    if metric is None:
        raise ValueError(f"cannot use the metric filter {text!r}: {problem}")
    return metric


def time_bound(text: str | None, end: bool = False) -> datetime | None:
    """A --from (``end`` false) or --to bound; a day alone given as ``end`` means its next midnight."""
    if text is None:
        return None
    reading = _BOUNDS.read(text)
    if reading.moment is None:
        raise ValueError(f"cannot read the date {text!r}: {reading.warning}")
    if end and reading.date_only:
        return reading.moment + timedelta(days=1)
    return reading.moment
