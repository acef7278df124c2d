"""Import of a JSON-lines or JSON-array file: ``App.ingest`` (in a child process started from the
pool), a progress strip in the status bar (percent, events per second, elapsed and remaining
time), and Cancel, which stops at the next batch
boundary. Every batch before it is committed and stays."""
from __future__ import annotations

import os
import threading
from typing import Callable, Optional

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from eventdesk.app import App
from eventdesk.core.ingest import IngestSummary
from eventdesk.gui import numbers
from eventdesk.gui.ingest_process import ImportProgress, ingest_in_process, ingest_with, use_child_process
from eventdesk.gui.session import Session

FILE_FILTER = "Events (*.jsonl *.ndjson *.json *.txt);;All files (*)"


def ingest_file(app: App, path: str, cancel: threading.Event, progress: Callable[[ImportProgress], None],
                uri: Optional[str] = None, store_options: Optional[dict] = None) -> IngestSummary:
    """Runs in the pool: the import, in a child process when the store can be reopened there."""
    if use_child_process(uri, store_options or {}, path):
        assert uri is not None
        return ingest_in_process(uri, app.max_attempts, path, cancel, progress)
    return ingest_with(app, path, cancel, progress)


def summary_text(name: str, summary: IngestSummary) -> str:
    rate = summary.lines / summary.seconds if summary.seconds else 0
    head = (f"Import of {name} cancelled after {numbers.integer(summary.lines)} events; everything before it is kept"
            if summary.cancelled else f"Imported {numbers.integer(summary.lines)} events from {name}")
    n = numbers.integer
    return (f"{head} ({numbers.decimal(round(summary.seconds, 1), 1)} s, {n(round(rate))} events/s): "
            f"{n(summary.accepted)} accepted, {n(summary.duplicate)} duplicate, "
            f"{n(summary.semantic_duplicate)} semantic duplicate, {n(summary.rejected)} rejected, "
            f"{n(summary.failed)} failed")


class ImportStrip(QFrame):
    """The import's progress on one line of the status bar: it covers nothing and takes no keys."""

    def __init__(self, name: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.label = QLabel(f"Importing {name}…")
        self.label.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)  # room for the whole line
        self.bar = QProgressBar(minimum=0, maximum=100, textVisible=False)
        self.bar.setFixedWidth(self.fontMetrics().averageCharWidth() * 14)
        self.cancel_button = QPushButton("Cancel", focusPolicy=Qt.FocusPolicy.NoFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel_button)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def label_text(self) -> str:
        return self.label.text()


def progress_text(name: str, percent: int, progress: ImportProgress, size: int) -> str:
    rate = progress.lines / progress.seconds if progress.seconds else 0
    left = ""
    if progress.bytes_read and progress.seconds:
        remaining = (size - progress.bytes_read) / (progress.bytes_read / progress.seconds)
        left = f" · about {_duration(remaining)} left"
    return (f"{name}: {percent} % · {numbers.integer(progress.lines)} events · "
            f"{numbers.integer(round(rate))} events/s · {_duration(progress.seconds)} elapsed{left}")


def counts_text(progress: ImportProgress) -> str:
    n = numbers.integer
    return (f"{n(progress.accepted)} accepted, {n(progress.duplicates)} duplicates, "
            f"{n(progress.rejected)} rejected, {n(progress.failed)} failed so far")


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class ImportRun(QObject):
    """One import: its worker, its progress strip and its cancel flag."""

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
        self.strip = ImportStrip(self.name)
        self.strip.cancel_button.clicked.connect(self._on_cancel_clicked)

    def start(self) -> bool:
        job = self.session.run(ingest_file, self.path, self.cancel, doing=f"Importing {self.name}",
                               uri=self.session.uri, store_options=self.session.store_options,
                               writes=True, on_result=self._on_import_finished,
                               on_error=self._on_import_failed, on_progress=self._on_progress)
        if job is None:
            self._close_strip()
            return False
        self.strip.bar.setValue(0)
        self.strip.show()
        return True

    def _on_progress(self, progress: ImportProgress) -> None:
        self.last = progress
        percent = int(100 * min(1.0, progress.bytes_read / self.size))  # the bar and the text show this one number
        if not self.cancel.is_set():
            self.strip.label.setText(progress_text(self.name, percent, progress, self.size))
            self.strip.setToolTip(f"Importing {self.path}\n{counts_text(progress)}")
        self.strip.bar.setValue(percent)

    def _on_cancel_clicked(self) -> None:
        if self.ended:
            return
        self.cancel.set()
        self.strip.label.setText(f"Cancelling the import of {self.name} at the next batch boundary…")
        self.session.messages.info(f"Cancelling the import of {self.name} at the next batch boundary…")

    def _close_strip(self) -> None:
        self.strip.hide()
        self.strip.deleteLater()

    def _on_import_finished(self, summary: IngestSummary) -> None:
        self.summary, self.ended = summary, True
        self._close_strip()
        done = summary_text(self.name, summary) + "; the tables are refreshed"
        if summary.failed:  # the store refused some batches: say it louder, and what to do
            self.session.messages.warning(done + " (Events › Retry all failed processes them again)")
        else:
            self.session.messages.info(done)
        self.finished.emit(summary)

    def _on_import_failed(self, _exc: BaseException) -> None:
        self.ended = True
        self._close_strip()
        self.finished.emit(None)
