"""Export of raw or normalized events (the rows of ``eventdesk export``), page by page.

Runs in the pool; ``cancel`` (a threading.Event) stops it between pages.
"""
from __future__ import annotations

import csv
import json
import threading
from typing import Any, Callable, Optional

from eventdesk.core.export_rows import NORMALIZED_FIELDS, RAW_FIELDS, normalized_row, raw_row
from eventdesk.core.queries import NormalizedQuery, Page, RawQuery

__all__ = ["export_events", "raw_row", "normalized_row"]
PAGE = 5000


def export_events(app: Any, kind: str, query: RawQuery | NormalizedQuery, path: str,
                  cancel: Optional[threading.Event] = None,
                  progress: Optional[Callable[[int], None]] = None) -> int:
    """Write the events matching ``query`` to ``path`` (CSV if it ends in .csv, else JSON lines)."""
    fields = RAW_FIELDS if kind == "raw" else NORMALIZED_FIELDS
    as_csv = path.lower().endswith(".csv")
    count, after = 0, None
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields) if as_csv else None
        if writer:
            writer.writeheader()
        while cancel is None or not cancel.is_set():
            page = Page("id", False, after, PAGE)
            if kind == "raw":
                events: list[Any] = app.store.query_raw(query, page)
                rows = [raw_row(e) for e in events]
            else:
                events = app.store.query_normalized(query, page)
                rows = [normalized_row(e) for e in events]
            for row in rows:
                if writer:
                    writer.writerow({k: _cell(v) for k, v in row.items()})
                else:
                    out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            count += len(rows)
            if progress is not None:
                progress(count)
            if len(events) < PAGE:
                break
            after = (events[-1].id, events[-1].id)
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value
