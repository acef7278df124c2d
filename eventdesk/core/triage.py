"""Triage (design section 12): problem events grouped by reason code, client and field.

A group counts events, never reasons twice: each event adds one to each distinct
(code, field) its reasons name. Raw events in ``failed``, ``rejected`` or ``dead_letter``
carry the reason of their rejection or last failure; normalized events carry one reason per
warning (their raw event is ``normalized``). Stores group by (code, source, field) and this
module merges sources into clients (the source trimmed) and orders the groups.

Each group also counts its events per UTC hour of receipt (``hourly``, keyed by the first 13
characters of ``received_at``: ``2024-01-05T10``); ``timeline`` turns that into the dense
per-hour or per-day series a sparkline draws, so hours add up exactly to ``count``.
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Optional

from eventdesk.core.model import EventId
from eventdesk.core.normalizer import client_id_of

PROBLEM_STATUSES = ("failed", "rejected", "dead_letter")
WARNING_STATUS = "normalized"  # --status normalized: the events with warnings
SAMPLES = 5  # sample raw ids per group: the newest (largest ids) first
HOUR_KEY = 13  # len("2024-01-05T10"): received_at cut to its UTC hour
HOURLY_SPAN = 48  # a group seen within this many hours is drawn per hour, a longer one per day


@dataclass(frozen=True)
class TriageQuery:
    status: Optional[str] = None     # one raw status, None: every problem status and warnings
    client_id: Optional[str] = None  # exact client id (the source, trimmed)

    @property
    def raw_statuses(self) -> tuple[str, ...]:
        """The raw statuses whose own reasons count (empty: none)."""
        if self.status is None:
            return PROBLEM_STATUSES
        return (self.status,) if self.status in PROBLEM_STATUSES else ()

    @property
    def warnings(self) -> bool:
        """Whether the reasons of normalized events (warnings) count."""
        return self.status is None or self.status == WARNING_STATUS


@dataclass
class TriageGroup:
    code: str
    client_id: Optional[str]         # None for an input without a readable source
    field: Optional[str]
    count: int
    first_seen: str                  # received_at of the oldest event of the group
    last_seen: str
    sample_raw_ids: list[EventId]    # up to SAMPLES, newest first
    hourly: dict[str, int] = dataclass_field(default_factory=dict)  # "2024-01-05T10" -> events

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "client_id": self.client_id, "field": self.field,
                "count": self.count, "first_seen": self.first_seen, "last_seen": self.last_seen,
                "sample_raw_ids": list(self.sample_raw_ids), "timeline": timeline(self).to_json()}


@dataclass(frozen=True)
class Timeline:
    """Events per ``unit`` (hour or day, UTC) from ``start``, every bucket present (zeros too)."""
    unit: str
    start: Optional[str]
    counts: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "start": self.start, "counts": list(self.counts)}


def timeline(group: TriageGroup) -> Timeline:
    """The group's events per hour (a span within HOURLY_SPAN hours) or per day, oldest first."""
    hours = {_hour(key): n for key, n in group.hourly.items() if n}
    if not hours:
        return Timeline("hour", None, ())
    first, last = min(hours), max(hours)
    if last - first < timedelta(hours=HOURLY_SPAN):
        return _dense(hours, first, last, timedelta(hours=1), "hour")
    days: dict[datetime, int] = {}
    for moment, n in hours.items():
        day = moment.replace(hour=0)
        days[day] = days.get(day, 0) + n
    return _dense(days, min(days), max(days), timedelta(days=1), "day")


def _dense(counts: dict[datetime, int], first: datetime, last: datetime, step: timedelta, unit: str) -> Timeline:
    size = (last - first) // step + 1
    series = [0] * size
    for moment, n in counts.items():
        series[(moment - first) // step] += n
    return Timeline(unit, first.strftime("%Y-%m-%dT%H:00:00Z"), tuple(series))


def _hour(key: str) -> datetime:
    return datetime.strptime(key[:HOUR_KEY], "%Y-%m-%dT%H").replace(tzinfo=timezone.utc)


def hour_key(received_at: str) -> str:
    """The ``hourly`` key of a received_at text (stores cut the same 13 characters)."""
    return received_at[:HOUR_KEY]


def merge_groups(parts: Iterable[TriageGroup], query: TriageQuery) -> list[TriageGroup]:
    """Groups per (code, client, field) from per-source parts; largest first, then by name."""
    merged: dict[tuple, TriageGroup] = {}
    for part in parts:
        client = None if part.client_id is None else client_id_of(part.client_id)
        if query.client_id is not None and client != query.client_id:
            continue
        key = (part.code, client, part.field)
        group = merged.get(key)
        if group is None:
            merged[key] = TriageGroup(part.code, client, part.field, part.count, part.first_seen,
                                      part.last_seen, list(part.sample_raw_ids), dict(part.hourly))
            continue
        group.count += part.count
        group.first_seen = min(group.first_seen, part.first_seen)
        group.last_seen = max(group.last_seen, part.last_seen)
        group.sample_raw_ids.extend(part.sample_raw_ids)
        for hour, n in part.hourly.items():
            group.hourly[hour] = group.hourly.get(hour, 0) + n
    for group in merged.values():
        group.sample_raw_ids = sorted(set(group.sample_raw_ids), key=_id_order, reverse=True)[:SAMPLES]
    return sorted(merged.values(), key=lambda g: (-g.count, g.code, g.client_id or "", g.field or ""))


def _id_order(raw_id: EventId) -> tuple[int, Any]:
    return (0, raw_id) if isinstance(raw_id, int) else (1, str(raw_id))
