"""The one export: raw or normalized events as JSON lines or CSV, streamed page by page.

Row shapes are ``core.export_rows`` (design section 8). Everything is checked before any output
is opened; a file is written to a temporary file beside it and renamed at the end, so a failed
or cancelled export never leaves a half file or truncates an old one.
"""
from __future__ import annotations

import csv
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Optional, TextIO, Union

from eventdesk.app.composition import App
from eventdesk.app.errors import UsageError
from eventdesk.core.export_rows import (
    NORMALIZED_FIELDS,
    RAW_FIELDS,
    csv_cells,
    json_line,
    normalized_row,
    raw_export_row,
)
from eventdesk.core.model import ALL_STATUSES
from eventdesk.core.ports import EventReads
from eventdesk.core.queries import NormalizedQuery, Page, RawQuery

PAGE = 5000
FORMATS = ("jsonl", "csv")
ExportQuery = Union[RawQuery, NormalizedQuery]
Source = Union[App, EventReads]  # an App, or (in tests) anything that reads like a store


def _reads(source: Source) -> EventReads:
    return source.store if isinstance(source, App) else source


def check_export_args(kind: str, statuses: Sequence[str]) -> None:
    """Refuse a bad kind or status before the store or any output is touched."""
    if kind not in ("raw", "normalized"):
        raise UsageError(f"unknown kind {kind!r} (raw or normalized)")
    if statuses and kind != "raw":
        raise UsageError("--status applies to raw events only (normalized events have no status)")
    for status in statuses:
        if status not in ALL_STATUSES:
            raise UsageError(f"unknown status {status!r} (one of: {', '.join(ALL_STATUSES)})")


def export_query(kind: str, statuses: Sequence[str] = (), client: Optional[str] = None) -> ExportQuery:
    """The query of ``eventdesk export``: raw by status and source, normalized by client."""
    check_export_args(kind, statuses)
    if kind == "raw":
        return RawQuery(statuses=tuple(statuses), source=client)
    return NormalizedQuery(client_id=client)


def format_for_path(path: str) -> str:
    """CSV when the file name ends in .csv, else JSON lines (the GUI's Save dialog)."""
    return "csv" if path.lower().endswith(".csv") else "jsonl"


def iter_rows(source: Source, kind: str, query: ExportQuery,
              cancel: Optional[threading.Event] = None) -> Iterator[dict[str, Any]]:
    """Export rows in id order, one page at a time; ``cancel`` stops between pages."""
    reads = _reads(source)
    after = None
    while cancel is None or not cancel.is_set():
        page = Page("id", False, after, PAGE)
        events: list[Any]
        if kind == "raw":
            assert isinstance(query, RawQuery)
            events = reads.query_raw(query, page)
            yield from (raw_export_row(e) for e in events)
        else:
            assert isinstance(query, NormalizedQuery)
            events = reads.query_normalized(query, page)
            yield from (normalized_row(e) for e in events)
        if len(events) < PAGE:
            return
        after = (events[-1].id, events[-1].id)


def write_rows(rows: Iterator[dict[str, Any]], kind: str, fmt: str, out: TextIO,
               progress: Optional[Callable[[int], None]] = None) -> int:
    """Write rows as JSON lines or CSV (with a header); returns how many."""
    writer = csv.DictWriter(out, fieldnames=RAW_FIELDS if kind == "raw" else NORMALIZED_FIELDS) \
        if fmt == "csv" else None
    if writer:
        writer.writeheader()
    count = 0
    for row in rows:
        if writer:
            writer.writerow(csv_cells(row))
        else:
            out.write(json_line(row) + "\n")
        count += 1
        if progress is not None and count % PAGE == 0:
            progress(count)
    return count


def export_events(source: Source, kind: str, statuses: Sequence[str], client: Optional[str],
                  fmt: str, out: TextIO) -> int:
    """``eventdesk export`` to a stream (standard output)."""
    return write_rows(iter_rows(source, kind, export_query(kind, statuses, client)), kind, fmt, out)


def export_to_file(source: Source, kind: str, statuses: Sequence[str], client: Optional[str],
                   fmt: str, path: str) -> int:
    """``eventdesk export --out``: into ``path`` whole or not at all."""
    count = export_query_to_file(source, kind, export_query(kind, statuses, client), fmt, path)
    assert count is not None  # nothing cancels it
    return count


def export_query_to_file(source: Source, kind: str, query: ExportQuery, fmt: str, path: str,
                         cancel: Optional[threading.Event] = None,
                         progress: Optional[Callable[[int], None]] = None) -> Optional[int]:
    """Export the events matching ``query`` into ``path`` whole or not at all (a temporary file
    renamed when complete); None when cancelled, with ``path`` untouched."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (jsonl or csv)")
    if os.path.isdir(path):
        raise IsADirectoryError(21, "is a folder, not a file", path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part", dir=folder)
    try:
        with open(handle, "w", encoding="utf-8", newline="") as out:
            count = write_rows(iter_rows(source, kind, query, cancel), kind, fmt, out, progress)
            out.flush()
            os.fsync(out.fileno())
        if cancel is not None and cancel.is_set():
            _remove(temporary)
            return None
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
