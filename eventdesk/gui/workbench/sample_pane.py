"""The sample: one raw event as received, read-only, chosen by raw id or as a client's latest."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from eventdesk.app import queries
from eventdesk.app import workbench as bench
from eventdesk.core.model import RawEvent
from eventdesk.gui.pretty import pretty_received
from eventdesk.gui.session import Session
from eventdesk.gui.widgets.json_editor import JsonEditor


def raw_text(raw: RawEvent) -> str:
    """The text as received (bytes that are not UTF-8 keep their bytes as escapes)."""
    return raw.text if isinstance(raw.text, str) else raw.text.decode("utf-8", errors="surrogateescape")


class SamplePane(QWidget):
    """Pick a raw event; ``sample_changed`` carries it (None when there is none)."""

    #: The sample shown changed: the RawEvent, or None.
    sample_changed = Signal(object)

    def __init__(self, session: Session, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session = session
        self.raw: Optional[RawEvent] = None
        self.client: Optional[str] = None  # whose latest the button loads (the form's entry)
        self.raw_id_edit = QLineEdit(placeholderText="raw id")
        self.raw_id_edit.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.raw_id_edit.returnPressed.connect(self._on_id_entered)
        self.load_button = QPushButton("Load")
        self.load_button.clicked.connect(self._on_id_entered)
        self.latest_button = QPushButton("Client's latest")
        self.latest_button.setToolTip("the newest raw event of the client being edited")
        self.latest_button.clicked.connect(self.load_latest)
        self.latest_button.setEnabled(False)
        self.info = QLabel("No sample yet: type a raw id or take the client's latest.")
        self.info.setWordWrap(True)
        self.viewer = JsonEditor(read_only=True)
        row = QHBoxLayout()
        row.addWidget(self.raw_id_edit, 1)
        row.addWidget(self.load_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Sample raw event</b>"))
        layout.addLayout(row)
        layout.addWidget(self.latest_button)
        layout.addWidget(self.info)
        layout.addWidget(self.viewer, 1)

    def load(self, raw_id: int) -> None:
        self.raw_id_edit.setText(str(raw_id))
        self.session.run(queries.raw_details, raw_id, doing=f"Loading raw event {raw_id}",
                         on_result=lambda found: self._show(found[0], f"there is no raw event {raw_id}"))

    def set_client(self, client: Optional[str]) -> None:
        """The client whose latest event the button loads (None: the defaults, no one's)."""
        self.client = client
        self.latest_button.setEnabled(client is not None)

    def load_latest(self) -> None:
        if self.client is None:
            return
        who = self.client
        self.session.run(bench.latest_raw, self.client, doing=f"Loading the latest event of {who}",
                         on_result=lambda raw: self._show(raw, f"{who} has no raw event yet"))

    def _on_id_entered(self) -> None:
        text = self.raw_id_edit.text().strip()
        if text.isdigit():
            self.load(int(text))
        else:
            self.info.setText("Type a raw id (a whole number).")

    def _show(self, raw: Optional[RawEvent], missing: str) -> None:
        self.raw = raw
        if raw is None:
            self.info.setText(missing)
            self.viewer.setPlainText("")
        else:
            self.raw_id_edit.setText(str(raw.id))
            received = raw.received_at.replace("T", " ").split(".")[0].rstrip("Z")
            self.info.setText(f"Raw {raw.id} of {raw.source!r}, {raw.status}; received {received} UTC")
            self.info.setToolTip(f"received_at {raw.received_at}")
            self.viewer.setPlainText(pretty_received(raw.text))
        self.sample_changed.emit(raw)

