"""The raw events of one triage group, for "Export group…": found as triage counts them, written
by the one export service (``app.exporting``: raw text exactly as received, whole file or none).

An event belongs to a group when its client is the group's and one of its reasons has the
group's (code, field): a raw event's own reasons for failed, rejected and dead-letter events, its
normalized event's reasons (warnings) for the normalized ones.
"""
from __future__ import annotations

import threading
from typing import Any, Iterable, Optional

from eventdesk.app import App, exporting, queries
from eventdesk.core.model import EventId, RawEvent
from eventdesk.core.normalizer import client_id_of
from eventdesk.core.queries import NormalizedQuery, Page, RawQuery
from eventdesk.core.triage import TriageGroup, TriageQuery

SCAN_PAGE = 2000


def _in_group(group: TriageGroup, client: Optional[str], reasons: Iterable[Any]) -> bool:
    return client == group.client_id and any((r.code, r.field) == (group.code, group.field) for r in reasons)


def member_ids(app: App, group: TriageGroup, status: Optional[str]) -> list[EventId]:
    """Raw ids of the group's events under the tab's status filter, in id order."""
    scope = TriageQuery(status, group.client_id)
    ids: list[EventId] = []
    if scope.raw_statuses:
        for raw in _pages(lambda page: queries.raw_page(app, RawQuery(statuses=scope.raw_statuses), page)):
            if _in_group(group, None if raw.source is None else client_id_of(raw.source), raw.reasons):
                ids.append(raw.id)
    if scope.warnings and group.client_id is not None:
        query = NormalizedQuery(client_id=group.client_id)
        for row in _pages(lambda page: queries.normalized_page(app, query, page)):
            if _in_group(group, row.client_id, row.reasons):
                ids.append(row.raw_id)
    return sorted(set(ids), key=lambda i: (not isinstance(i, int), i if isinstance(i, int) else str(i)))


def _pages(fetch: Any) -> Iterable[Any]:
    after = None
    while True:
        rows = fetch(Page("id", False, after, SCAN_PAGE))
        yield from rows
        if len(rows) < SCAN_PAGE:
            return
        after = (rows[-1].id, rows[-1].id)


class GroupReads:
    """Reads like a store for the export service: only the group's raw events, in id order."""

    def __init__(self, app: App, ids: list[EventId]) -> None:
        self.app, self.ids = app, ids
        self._place = {raw_id: i for i, raw_id in enumerate(ids)}

    def query_raw(self, query: RawQuery, page: Page) -> list[RawEvent]:
        start = 0 if page.after is None else self._place[page.after[1]] + 1
        events = []
        for raw_id in self.ids[start:start + page.limit]:
            raw = queries.raw_details(self.app, raw_id)[0]
            if raw is None:  # deleted since it was found: an export says only what is stored
                raise LookupError(f"raw event {raw_id} is no longer stored; export the group again")
            events.append(raw)
        return events


def export_group(app: App, group: TriageGroup, status: Optional[str], path: str,
                 cancel: Optional[threading.Event] = None) -> Optional[int]:
    """Runs in the pool: the group's raw events into ``path`` (JSON lines, or CSV for .csv)."""
    reads = GroupReads(app, member_ids(app, group, status))
    return exporting.export_query_to_file(reads, "raw", RawQuery(), exporting.format_for_path(path),  # type: ignore[arg-type]
                                          path, cancel)
