"""Import of a JSON-lines or JSON-array file: ``App.ingest`` (in a child process started from the
pool), a progress dialog with events per second, and Cancel, which stops at the next batch
boundary. Every batch before it is committed and stays."""
from __future__ import annotations

import os
import threading
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from eventdesk.core.ingest import IngestSummary
from eventdesk.gui.ingest_process import ImportProgress, ingest_in_process, ingest_with, use_child_process
from eventdesk.gui.session import Session

FILE_FILTER = "Events (*.jsonl *.ndjson *.json *.txt);;All files (*)"
STEPS = 1000


def ingest_file(app: Any, path: str, cancel: threading.Event, progress: Callable[[ImportProgress], None],
                uri: Optional[str] = None, store_options: Optional[dict] = None) -> IngestSummary:
    """Runs in the pool: the import, in a child process when the store can be reopened there."""
    if use_child_process(uri, store_options or {}, path):
        assert uri is not None
        return ingest_in_process(uri, app.processor.max_attempts, path, cancel, progress)
    return ingest_with(app, path, cancel, progress)


def summary_text(name: str, summary: IngestSummary) -> str:
    rate = summary.lines / summary.seconds if summary.seconds else 0
    head = (f"Import of {name} cancelled after {summary.lines:,} events; everything before it is kept"
            if summary.cancelled else f"Imported {summary.lines:,} events from {name}")
    return (f"{head} ({summary.seconds:.1f} s, {rate:,.0f} events/s): {summary.accepted:,} accepted, "
            f"{summary.duplicate:,} duplicate, {summary.semantic_duplicate:,} semantic duplicate, "
            f"{summary.rejected:,} rejected, {summary.failed:,} failed")


class ImportRun(QObject):
    """One import: its worker, its progress dialog and its cancel flag."""

    #: The import ended: the IngestSummary (cancelled or complete), or None after an error.
    finished = Signal(object)

    def __init__(self, session: Session, path: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session, self.path = session, path
        self.name = os.path.basename(path)
        self.size = max(1, os.path.getsize(path)) if os.path.exists(path) else 1
        self.cancel = threading.Event()
        self.summary: Optional[IngestSummary] = None
        self.last: Optional[ImportProgress] = None
        self.ended = False
        self.dialog = QProgressDialog(f"Importing {self.name}…", "Cancel", 0, STEPS, parent)
        self.dialog.setWindowTitle("Import events")
        self.dialog.setWindowModality(Qt.WindowModality.NonModal)  # keep browsing while it runs
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(self.dialog.fontMetrics().averageCharWidth() * 72)
        self.dialog.canceled.connect(self._on_cancel_clicked)

    def start(self) -> bool:
        job = self.session.run(ingest_file, self.path, self.cancel, doing=f"Importing {self.name}",
                               uri=self.session.uri, store_options=self.session.store_options,
                               writes=True, on_result=self._on_import_finished,
                               on_error=self._on_import_failed, on_progress=self._on_progress)
        if job is None:
            self.dialog.close()
            return False
        self.dialog.setValue(0)
        self.dialog.show()
        return True

    def _on_progress(self, progress: ImportProgress) -> None:
        self.last = progress
        rate = progress.lines / progress.seconds if progress.seconds else 0
        share = min(1.0, progress.bytes_read / self.size)
        if not self.cancel.is_set():
            self.dialog.setLabelText(
                f"Importing {self.name}: {share:.0%} of the file\n"
                f"{progress.lines:,} events · {rate:,.0f} events/s\n"
                f"{progress.accepted:,} accepted · {progress.duplicates:,} duplicates · "
                f"{progress.rejected:,} rejected · {progress.failed:,} failed")
        self.dialog.setValue(int(share * STEPS))

    def _on_cancel_clicked(self) -> None:
        if self.ended:  # closing the dialog at the end also emits ``canceled``
            return
        self.cancel.set()
        self.session.messages.info(f"Cancelling the import of {self.name} at the next batch boundary…")

    def _on_import_finished(self, summary: IngestSummary) -> None:
        self.summary, self.ended = summary, True
        self.dialog.close()
        if summary.failed:  # the store refused some batches: say it louder, and what to do
            self.session.messages.warning(summary_text(self.name, summary) +
                                          " (Events › Retry all failed processes them again)")
        else:
            self.session.messages.info(summary_text(self.name, summary))
        self.finished.emit(summary)

    def _on_import_failed(self, _exc: BaseException) -> None:
        self.ended = True
        self.dialog.close()
        self.finished.emit(None)
