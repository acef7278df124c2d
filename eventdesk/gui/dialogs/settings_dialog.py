"""Settings: worker threads (the QThreadPool's size), max attempts before dead letter, and the
address the window listens for clients on."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from eventdesk.gui.preferences import Preferences
from eventdesk.gui.session import Session


class SettingsDialog(QDialog):
    """Edits the settings; OK applies them at once and remembers them."""

    def __init__(self, session: Session, prefs: Preferences, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.session, self.prefs = session, prefs
        self.workers = QSpinBox(minimum=1, maximum=64, value=prefs.worker_count)
        self.workers.setToolTip("threads that run store work in the background")
        self.max_attempts = QSpinBox(minimum=1, maximum=1000, value=session.max_attempts)
        self.max_attempts.setToolTip("failed processing attempts before an event becomes dead_letter")
        self.listen_host = QLineEdit(prefs.listen_host)
        self.listen_host.setToolTip("127.0.0.1: this machine only; 0.0.0.0: every network (clients need the token)")
        self.listen_port = QSpinBox(minimum=1, maximum=65535, value=prefs.listen_port or 5000)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Worker threads", self.workers)
        form.addRow("Max attempts", self.max_attempts)
        form.addRow("Listen for clients on", self.listen_host)
        form.addRow("Port", self.listen_port)
        note = QLabel("Threads and attempts apply at once. Max attempts counts for this store from now on; "
                      "events already in dead_letter stay there until retried. The address applies "
                      "the next time the window starts listening (Tools › Listen for clients).")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(buttons)

    def accept(self) -> None:
        self.prefs.worker_count = self.workers.value()
        self.prefs.max_attempts = self.max_attempts.value()
        self.session.set_worker_count(self.workers.value())
        self.session.set_max_attempts(self.max_attempts.value())
        self.prefs.listen_host = self.listen_host.text()
        self.prefs.listen_port = self.listen_port.value()
        self.session.messages.info(f"Settings saved: {self.workers.value()} worker threads, "
                                   f"max attempts {self.max_attempts.value()}")
        super().accept()
