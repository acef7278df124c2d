"""Apply the published mappings to history: a dry run first (what would change, nothing written),
then, confirmed with a second button, the real re-normalization as a cancellable background job
with progress; the audit of every run below."""
from __future__ import annotations

import threading
from typing import Any, Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from eventdesk.app import UsageError, renormalize
from eventdesk.gui.numbers import integer
from eventdesk.gui.session import Session
from eventdesk.gui.workbench.audit_table import AuditTable


def counts_text(counts: dict[str, int]) -> str:
    return (f"examined {integer(counts.get('examined', 0))} · changed {integer(counts.get('changed', 0))}"
            f" · unchanged {integer(counts.get('unchanged', 0))}"
            f" · now a semantic duplicate {integer(counts.get('now_semantic_duplicate', 0))}"
            f" · no longer a duplicate {integer(counts.get('no_longer_duplicate', 0))}")


class ApplyPane(QWidget):
    """Dry run, Apply (after a dry run of the same version and scope), Cancel, and the audit."""

    #: A real run ended (finished or cancelled): its RenormalizeSummary.
    applied = Signal(object)

    def __init__(self, session: Session, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session = session
        self.version: Optional[int] = None
        self.client: Optional[str] = None
        self.dirty = False
        self.dry: Any = None  # (summary, version, scope) of the last dry run
        self.running: Optional[str] = None  # "dry run" or "run" while a job is going
        self._cancel = threading.Event()
        self.only_client = QRadioButton("this client")
        self.all_clients = QRadioButton("all clients")
        group = QButtonGroup(self)
        self.only_client.setChecked(True)
        for button in (self.only_client, self.all_clients):
            group.addButton(button)
            button.toggled.connect(lambda _on: self._forget_dry_run())
        self.dry_button = QPushButton("Dry run")
        self.dry_button.clicked.connect(self.dry_run)
        self.apply_button = QPushButton("Apply to history")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.audit = AuditTable()
        row = QHBoxLayout()
        for widget in (QLabel("Re-normalize"), self.only_client, self.all_clients, self.dry_button,
                       self.apply_button, self.cancel_button):
            row.addWidget(widget)
        row.addWidget(self.progress, 1)
        row.addStretch(0)  # keeps the buttons their size while the progress bar is hidden
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.audit, 1)
        self._update()

    def set_state(self, version: Optional[int], dirty: bool, client: Optional[str]) -> None:
        """The published version, whether the draft differs from it, and the client being edited."""
        previous = self.client
        if (version, client) != (self.version, self.client):
            self._forget_dry_run()
        self.version, self.dirty, self.client = version, dirty, client
        self.only_client.setText(f"this client ({client})" if client else "this client")
        self.only_client.setEnabled(client is not None)
        if client is None:
            self.all_clients.setChecked(True)
        elif client != previous:  # another client: the narrowest scope again
            self.only_client.setChecked(True)
        self._update()

    def _scope(self) -> Any:
        client = self.client if self.only_client.isChecked() else None
        return renormalize.scope_of(client)

    def _forget_dry_run(self) -> None:
        self.dry = None
        self._update()

    def _update(self) -> None:
        idle = self.running is None
        self.dry_button.setEnabled(idle and self.version is not None)
        confirmed = self.dry is not None and self.dry[1] == self.version and not self.dirty
        self.apply_button.setEnabled(idle and confirmed and self.dry[0].counts.get("changed", 0) > 0)
        self.cancel_button.setEnabled(not idle)
        if idle and self.dirty:
            self.status.setText(f"Re-normalization applies the published version {self.version}; "
                                "publish the draft first to apply it.")

    def refresh(self) -> None:
        self.session.run(renormalize.renormalize_history, doing="Loading the re-normalization audit",
                         quiet=True, on_result=self.audit.show_runs)

    # -- the two runs
    def dry_run(self) -> None:
        self._start("dry run", dry_run=True)

    def apply(self) -> None:
        if self.dry is None:
            return
        self.progress.setRange(0, max(1, self.dry[0].counts.get("examined", 0)))
        self._start("run", dry_run=False)

    def cancel(self) -> None:
        self._cancel.set()
        self.status.setText(f"Cancelling the {self.running} at the next chunk…")

    def _start(self, kind: str, dry_run: bool) -> None:
        try:
            scope = self._scope()
        except UsageError as exc:
            self.status.setText(f"✗ {exc}")
            return
        self._cancel = threading.Event()
        self.running = kind
        self.progress.setVisible(True)
        if dry_run:
            self.progress.setRange(0, 0)  # busy: the dry run is what tells the total
        self.progress.setValue(0)
        self.status.setText(f"{'Dry run' if dry_run else 'Re-normalizing'} with version {self.version}…")
        version = self.version
        job = self.session.run(renormalize.renormalize, scope, dry_run=dry_run, cancel=self._cancel,
                               doing="Re-normalization dry run" if dry_run else "Re-normalizing history",
                               writes=not dry_run, on_progress=self._on_progress,
                               on_result=lambda s: self._on_ended(s, version, scope),
                               on_error=self._on_failed)
        if job is None:
            self.running = None
        self._update()

    def _on_progress(self, counts: dict[str, int]) -> None:
        if self.progress.maximum() > 0:
            self.progress.setValue(min(self.progress.maximum(), counts.get("examined", 0)))
        self.status.setText(f"{self.running}: {counts_text(counts)}")

    def _on_ended(self, summary: Any, version: Optional[int], scope: Any) -> None:
        self.running = None
        self.progress.setVisible(False)
        counts = counts_text(summary.counts)
        if summary.dry_run:
            self.dry = None if summary.cancelled else (summary, version, scope)
            verdict = "Dry run cancelled" if summary.cancelled else "Dry run (nothing written) would have"
            tail = "" if summary.cancelled or summary.counts.get("changed", 0) else "; nothing would change"
            self.status.setText(f"{verdict}: {counts}{tail}")
        else:
            self.dry = None
            self.status.setText(f"Cancelled; the chunks done stay done (a dry run and Apply continue the run): {counts}"
                                if summary.cancelled else f"Re-normalized with version {version}: {counts}")
            self.refresh()
            self.applied.emit(summary)
        self._update()

    def _on_failed(self, exc: BaseException) -> None:
        self.running = None
        self.progress.setVisible(False)
        self.status.setText(f"✗ {exc}")
        self._update()
