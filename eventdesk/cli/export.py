"""`eventdesk export`: raw or normalized events as JSON lines or CSV, streamed page by page."""
from __future__ import annotations

import csv
import json
from typing import Any, Iterator, Optional, Sequence, TextIO

from eventdesk.core.export_rows import NORMALIZED_FIELDS, RAW_FIELDS, normalized_row, raw_row
from eventdesk.core.model import ALL_STATUSES
from eventdesk.core.queries import NormalizedQuery, Page, RawQuery
from eventdesk.store.port import EventStore

PAGE = 5000


def iter_rows(store: EventStore, kind: str, statuses: Sequence[str],
              client: Optional[str]) -> Iterator[dict[str, Any]]:
    after = None
    while True:
        page = Page("id", False, after, PAGE)
        if kind == "raw":
            for status in statuses:
                if status not in ALL_STATUSES:
                    from eventdesk.cli.main import UsageError
                    raise UsageError(f"unknown status {status!r} (one of: {', '.join(ALL_STATUSES)})")
            events: list[Any] = store.query_raw(RawQuery(statuses=tuple(statuses), source=client), page)
            rows = [raw_row(e) for e in events]
        else:
            events = store.query_normalized(NormalizedQuery(client_id=client), page)
            rows = [normalized_row(e) for e in events]
        yield from rows
        if len(events) < PAGE:
            return
        after = (events[-1].id, events[-1].id)


def export_events(store: EventStore, kind: str, statuses: Sequence[str], client: Optional[str],
                  fmt: str, out: TextIO) -> int:
    fields = RAW_FIELDS if kind == "raw" else NORMALIZED_FIELDS
    count = 0
    writer = csv.DictWriter(out, fieldnames=fields) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for row in iter_rows(store, kind, statuses, client):
        if writer:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        else:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        count += 1
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value
