"""Import of a JSON-lines or JSON-array file: ``App.ingest`` in the pool, a progress dialog with
events per second, and Cancel, which stops at the next batch boundary. Every batch before it is
committed and stays."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from eventdesk.core.ingest import IngestSummary
from eventdesk.gui.session import Session

FILE_FILTER = "Events (*.jsonl *.ndjson *.json *.txt);;All files (*)"
STEPS = 1000


@dataclass(frozen=True)
class ImportProgress:
    lines: int
    bytes_read: int
    seconds: float


PARALLEL_FROM_BYTES = 4 << 20  # smaller files: starting worker processes costs more than it saves


def ingest_file(app: Any, path: str, cancel: threading.Event,
                progress: Callable[[ImportProgress], None]) -> IngestSummary:
    """Runs in the pool: stream the file through ``App.ingest``.

    Large files are parsed and normalised in worker processes where the engine offers them
    (``App.parallel_preparer``): faster, and the window's thread keeps the interpreter to itself.
    """
    def report(summary: IngestSummary, read: int) -> None:
        progress(ImportProgress(summary.lines, read, summary.seconds))

    with open(path, "rb") as stream:
        if os.path.getsize(path) < PARALLEL_FROM_BYTES or not hasattr(app, "parallel_preparer"):
            return app.ingest(stream, cancel=cancel, progress=report)
        preparer = app.parallel_preparer(max(1, (os.cpu_count() or 2) - 1))
        try:
            return app.ingest(stream, cancel=cancel, progress=report, preparer=preparer)
        finally:
            preparer.close()


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
        self.dialog = QProgressDialog(f"Importing {self.name}…", "Cancel", 0, STEPS, parent)
        self.dialog.setWindowTitle("Import events")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(self.dialog.fontMetrics().averageCharWidth() * 60)
        self.dialog.canceled.connect(self._on_cancel_clicked)

    def start(self) -> bool:
        job = self.session.run(ingest_file, self.path, self.cancel, doing=f"Importing {self.name}",
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
            self.dialog.setLabelText(f"Importing {self.name}\n{progress.lines:,} events · {rate:,.0f} events/s"
                                     f" · {share:.0%} of the file")
        self.dialog.setValue(int(share * STEPS))

    def _on_cancel_clicked(self) -> None:
        self.cancel.set()
        self.session.messages.info(f"Cancelling the import of {self.name} at the next batch boundary…")

    def _on_import_finished(self, summary: IngestSummary) -> None:
        self.summary = summary
        self.dialog.close()
        self.session.messages.info(summary_text(self.name, summary))
        self.finished.emit(summary)

    def _on_import_failed(self, _exc: BaseException) -> None:
        self.dialog.close()
        self.finished.emit(None)
