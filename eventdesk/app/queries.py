"""Read services: single events with what belongs to them, table pages, statistics, aggregates.

Every function reads only (through the store's ``EventReads`` port) and runs wherever the
caller likes; the GUI runs them in its thread pool.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Optional

from eventdesk.app.composition import App
from eventdesk.core.export_rows import received_text
from eventdesk.core.model import ALL_STATUSES, EventId, NormalizedEvent, RawEvent
from eventdesk.core.normalizer import lookup
from eventdesk.core.queries import AggregateQuery, AggregateRow, NormalizedQuery, Page, RawQuery, Stats
from eventdesk.core.triage import TriageGroup, TriageQuery

_EVERY_DATED = NormalizedQuery(time_from=datetime(1, 1, 2, tzinfo=timezone.utc))  # leaves out undated events


# -- the store itself

def store_description(app: App) -> str:
    """A path or host, never credentials."""
    return app.store.description


def store_kind(app: App) -> str:
    """"MongoDB" or "SQLite", for the status bar."""
    description = app.store.description
    mongo = "mongodb" in type(app.store).__name__.lower() or description.startswith("mongodb")
    return "MongoDB" if mongo else "SQLite"


def store_transactions(app: App) -> bool:
    return bool(getattr(app.store, "transactions", False))


def store_notice(app: App) -> Optional[str]:
    """Something the user should know about this store (a MongoDB server without transactions)."""
    return getattr(app.store, "notice", None)


# -- single events

def raw_details(app: App, raw_id: EventId) -> tuple[Optional[RawEvent], Optional[NormalizedEvent], dict[str, str]]:
    """The raw event, its normalized event (or the one it duplicates), and the client's own key
    each canonical field was read from (``{"amount": "betrag"}``)."""
    raw = app.store.get_raw(raw_id)
    if raw is None:
        return None, None, {}
    normalized = None
    if raw.normalized_id is not None:
        normalized = app.store.get_normalized(raw.normalized_id)
    elif raw.duplicate_of is not None:
        normalized = app.store.get_normalized(raw.duplicate_of)
    return raw, normalized, client_keys(app, raw)


def client_keys(app: App, raw: RawEvent) -> dict[str, str]:
    """Canonical field -> the key of this client's payload it is read from (the first present)."""
    try:
        value = json.loads(received_text(raw.text))
        payload, source = value.get("payload"), value.get("source")
        fields = app.mappings.for_client(str(source).strip()).fields
    except (ValueError, AttributeError, TypeError):
        return {}
    if not isinstance(payload, dict):
        return {}
    keys = {}
    for name, candidates in fields.items():
        _value, key = lookup(payload, candidates)
        keys[name] = key or " / ".join(".".join(c) for c in candidates)
    return keys


def normalized_details(app: App, normalized_id: EventId) -> tuple[Optional[NormalizedEvent], Optional[RawEvent]]:
    """The normalized event and the raw event it came from."""
    event = app.store.get_normalized(normalized_id)
    return event, (app.store.get_raw(event.raw_id) if event is not None else None)


def normalized_event(app: App, normalized_id: EventId) -> Optional[NormalizedEvent]:
    return app.store.get_normalized(normalized_id)


def stored_raw(app: App, content_hash: str) -> Optional[RawEvent]:
    """The raw event with this content hash, or None (a 64-digit hash is an indexed lookup)."""
    rows = app.store.query_raw(RawQuery(text=content_hash), Page(limit=1))
    return next((raw for raw in rows if raw.content_hash == content_hash), None)


# -- tables

def raw_page(app: App, query: RawQuery, page: Page) -> list[RawEvent]:
    return app.store.query_raw(query, page)


@dataclass(slots=True)
class RawRow(RawEvent):
    """A raw event for a table: ``warned`` when its normalized event has warnings."""

    warned: bool = False


def raw_rows(app: App, query: RawQuery, page: Page) -> list[RawRow]:
    """``raw_page`` with each row's warnings flag (one more query per page, same keyset bounds)."""
    events = app.store.query_raw(query, page)
    if query.has_warnings:
        warned = {e.id for e in events}
    elif any(e.status == "normalized" for e in events):  # the page's ids only: never a scan
        warned = app.store.warned_raw_ids([e.id for e in events if e.status == "normalized"])
    else:
        warned = set()
    names = [f.name for f in fields(RawEvent)]
    return [RawRow(**{n: getattr(e, n) for n in names}, warned=e.id in warned) for e in events]


def count_raw(app: App, query: RawQuery) -> int:
    return app.store.count_raw(query)


def normalized_page(app: App, query: NormalizedQuery, page: Page) -> list[NormalizedEvent]:
    return app.store.query_normalized(query, page)


def count_normalized(app: App, query: NormalizedQuery) -> int:
    return app.store.count_normalized(query)


def distinct_sources(app: App) -> list[str]:
    return app.store.distinct_values("source")


def distinct_clients_and_metrics(app: App) -> tuple[list[str], list[str]]:
    return app.store.distinct_values("client_id"), app.store.distinct_values("metric")


def received_ends(app: App) -> tuple[Optional[str], Optional[str]]:
    """``received_at`` of the first and the last raw event (two one-row pages)."""
    ends = [app.store.query_raw(RawQuery(), Page("received_at", descending, None, 1)) for descending in (False, True)]
    return (ends[0][0].received_at if ends[0] else None, ends[1][0].received_at if ends[1] else None)


def timestamp_ends(app: App) -> tuple[Optional[str], Optional[str]]:
    """The earliest and latest normalized timestamp, undated events left out."""
    ends = [app.store.query_normalized(_EVERY_DATED, Page("timestamp", descending, None, 1))
            for descending in (False, True)]
    return (ends[0][0].timestamp if ends[0] else None, ends[1][0].timestamp if ends[1] else None)


# -- numbers

def stats(app: App) -> Stats:
    return app.store.stats()


def triage(app: App, status: Optional[str] = None, client_id: Optional[str] = None) -> list[TriageGroup]:
    """Problem events grouped by reason code, client and field (design 8 and 12); read-only.

    ``status``: one raw status (``normalized`` for the events with warnings), None for all.
    """
    if status is not None and status not in ALL_STATUSES:
        raise ValueError(f"status must be one of {', '.join(ALL_STATUSES)}, not {status!r}")
    return app.store.triage(TriageQuery(status, client_id))


def aggregates(app: App, query: AggregateQuery) -> list[AggregateRow]:
    return app.store.aggregates(query)


@dataclass
class Snapshot:
    """Everything the statistics view shows, read in a few store calls."""

    stats: Stats
    per_client: dict[str, dict[str, int]]
    bucket: str
    received: list[tuple[str, int]]
    with_warnings: int = 0


def take_snapshot(app: App) -> Snapshot:
    """Counts, per-client breakdown and events received over time in a bucket that suits the data."""
    store = app.store
    current = store.stats()
    per_client = store.per_client() if hasattr(store, "per_client") else dict(current.by_client)
    bucket, received = "hour", store.received_per_bucket("hour")
    if len(received) <= 3:
        bucket, received = "minute", store.received_per_bucket("minute")
    elif len(received) > 24 * 14:
        bucket, received = "day", store.received_per_bucket("day")
    with_warnings = store.count_normalized(NormalizedQuery(has_warnings=True))
    return Snapshot(current, per_client, bucket, received, with_warnings)
