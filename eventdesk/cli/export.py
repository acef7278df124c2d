"""`eventdesk export`: raw or normalized events as JSON lines or CSV, streamed page by page.

Everything is checked before any output is opened; ``--out`` is written to a temporary file
beside it and renamed at the end, so a failed export never leaves a half file or truncates one.
"""
from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from eventdesk.core.export_rows import (
    NORMALIZED_FIELDS,
    RAW_FIELDS,
    csv_cells,
    json_line,
    normalized_row,
    raw_export_row,
)
from eventdesk.core.model import ALL_STATUSES
from eventdesk.core.queries import NormalizedQuery, Page, RawQuery
from eventdesk.store.port import EventStore

PAGE = 5000


def check_export_args(kind: str, statuses: Sequence[str]) -> None:
    """Refuse a bad ``--status`` before the store or any output is touched."""
    from eventdesk.cli.main import UsageError
    if statuses and kind != "raw":
        raise UsageError("--status applies to raw events only (normalized events have no status)")
    for status in statuses:
        if status not in ALL_STATUSES:
            raise UsageError(f"unknown status {status!r} (one of: {', '.join(ALL_STATUSES)})")


def iter_rows(store: EventStore, kind: str, statuses: Sequence[str],
              client: str | None) -> Iterator[dict[str, Any]]:
    check_export_args(kind, statuses)
    after = None
    while True:
        page = Page("id", False, after, PAGE)
        if kind == "raw":
            events: list[Any] = store.query_raw(RawQuery(statuses=tuple(statuses), source=client), page)
            rows = [raw_export_row(e) for e in events]
        else:
            events = store.query_normalized(NormalizedQuery(client_id=client), page)
            rows = [normalized_row(e) for e in events]
        yield from rows
        if len(events) < PAGE:
            return
        after = (events[-1].id, events[-1].id)


def export_events(store: EventStore, kind: str, statuses: Sequence[str], client: str | None,
                  fmt: str, out: TextIO) -> int:
    fields = RAW_FIELDS if kind == "raw" else NORMALIZED_FIELDS
    count = 0
    writer = csv.DictWriter(out, fieldnames=fields) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for row in iter_rows(store, kind, statuses, client):
        if writer:
            writer.writerow(csv_cells(row))
        else:
            out.write(json_line(row) + "\n")
        count += 1
    return count


def export_to_file(store: EventStore, kind: str, statuses: Sequence[str], client: str | None,
                   fmt: str, path: str) -> int:
    """Export into ``path`` whole or not at all (a temporary file renamed when complete)."""
    check_export_args(kind, statuses)
    if os.path.isdir(path):
        raise IsADirectoryError(21, "is a folder, not a file", path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part", dir=folder)
    try:
        with open(handle, "w", encoding="utf-8", newline="") as out:
            count = export_events(store, kind, statuses, client, fmt, out)
            out.flush()
            os.fsync(out.fileno())
        _keep_mode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        _remove(temporary)
        raise
    return count


def _keep_mode(path: str, temporary: str) -> None:
    """The new file gets the old one's permissions, or the usual ones for a new file."""
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temporary, mode)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
