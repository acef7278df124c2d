"""Import in a process of its own, so that parsing and writing never hold the window's interpreter.

A thread of the window's pool starts the child (``spawn``), relays its progress, passes Cancel
on as a multiprocessing Event, and returns its ``IngestSummary`` or re-raises its error. The
child opens the same store (SQLite in WAL mode and MongoDB both take a second writer) with the
store's current mappings. The child, and the parser processes it starts, end with the window
however it ends, and leave Ctrl-C to it. This module imports no Qt: the child imports it too.
"""
from __future__ import annotations

import os
import pickle
import queue
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Optional

from eventdesk.app import App, events
from eventdesk.core.errors import StoreError
from eventdesk.core.ingest import IngestSummary
from eventdesk.core.parent_watch import become_child_of, lifeline, quiet_spawn_context

CHILD_FROM_BYTES = 1 << 20     # smaller files take a second or less: not worth a process
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class ImportProgress:
    lines: int
    bytes_read: int
    seconds: float
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed: int = 0

    @classmethod
    def of(cls, summary: IngestSummary, read: int) -> "ImportProgress":
        return cls(summary.lines, read, summary.seconds, summary.accepted,
                   summary.duplicate + summary.semantic_duplicate, summary.rejected, summary.failed)


#: Events per transaction of an import from the window: progress and Cancel every ~0.2 s, at
#: some cost in speed against the command line's 30,000.
WINDOW_BATCH = 10_000


def ingest_with(app: App, path: str, cancel: Any, progress: Callable[[ImportProgress], None]) -> IngestSummary:
    """The app's one ingest driver, with one core left for the window."""
    def report(summary: IngestSummary, read: int, _total: int) -> None:
        progress(ImportProgress.of(summary, read))

    return events.ingest_files(app, [path], workers=events.workers_beside_a_window(), progress=report,
                               cancel=cancel, smallest_pool=1, batch_size=WINDOW_BATCH)


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a StoreError saying the same."""
    exc.gui_traceback = traceback.format_exc()  # type: ignore[attr-defined]
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any unpicklable exception becomes a plain one
        plain = StoreError(f"{type(exc).__name__}: {exc}")
        plain.gui_traceback = exc.gui_traceback  # type: ignore[attr-defined]
        return plain


def _child(uri: str, max_attempts: int, path: str, messages: Any, cancel: Any, parent_pid: int,
           line: Any) -> None:
    from eventdesk.app import Settings, build_app
    become_child_of(parent_pid, line)  # a killed window takes its import (and the import's workers) along
    if hasattr(os, "nice"):  # the window comes first: the import (and its parsers) yield the CPU
        try:
            os.nice(10)
        except OSError:
            pass
    try:
        app = build_app(Settings(store_uri=uri, max_attempts=max_attempts))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which shows it
        messages.put(("error", _portable(exc)))
        return
    try:
        summary = ingest_with(app, path, cancel, lambda p: messages.put(("progress", p)))
        messages.put(("done", summary))
    except BaseException as exc:  # noqa: BLE001
        messages.put(("error", _portable(exc)))
    finally:
        app.close()


def ingest_in_process(uri: str, max_attempts: int, path: str, cancel: threading.Event,
                      progress: Callable[[ImportProgress], None]) -> IngestSummary:
    """Run the import in a child process; blocks (in a pool thread) until it ends."""
    context = quiet_spawn_context()
    messages = context.Queue()
    stop = context.Event()
    child_end, parent_end = lifeline()
    child = context.Process(target=_child, args=(uri, max_attempts, path, messages, stop, os.getpid(), child_end),
                            name="eventdesk-import")
    child.start()
    try:
        while True:
            if cancel.is_set():
                stop.set()
            try:
                kind, value = messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not child.is_alive() and messages.empty():
                    raise StoreError(f"the import stopped unexpectedly (exit code {child.exitcode})") from None
                continue
            if kind == "progress":
                progress(value)
            elif kind == "done":
                return value
            else:
                raise value
    finally:
        stop.set()
        child.join(timeout=60)
        if child.is_alive():
            child.terminate()
        child_end.close()
        parent_end.close()


def use_child_process(uri: Optional[str], store_options: dict, path: str) -> bool:
    """For big files; and a child can open the same store only from its URI (not an in-memory
    or injected one)."""
    if not uri or store_options or ":memory:" in uri:
        return False
    try:
        return os.path.getsize(path) >= CHILD_FROM_BYTES
    except OSError:
        return False  # the in-process path reports the unreadable file
