"""The details of one raw event: status, counters, error, the text as received (pretty), and a
link to its normalized event or to the one it duplicates."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from eventdesk.core.model import NormalizedEvent, RawEvent
from eventdesk.gui.pretty import payload_text, pretty_received
from eventdesk.gui.tabs.submit_result import _hash_field
from eventdesk.gui.theme import error_text_colour
from eventdesk.gui.widgets.json_editor import JsonEditor
from eventdesk.gui.widgets.status_badge import StatusBadge


def raw_details(app: Any, raw_id: Any) -> tuple[Optional[RawEvent], Optional[NormalizedEvent]]:
    """Runs in the pool: the raw event and its normalized event (or the one it duplicates)."""
    raw = app.store.get_raw(raw_id)
    if raw is None:
        return None, None
    normalized = None
    if raw.normalized_id is not None:
        normalized = app.store.get_normalized(raw.normalized_id)
    elif raw.duplicate_of is not None:
        normalized = app.store.get_normalized(raw.duplicate_of)
    return raw, normalized


def _selectable() -> QLabel:
    label = QLabel("—")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class RawDetails(QGroupBox):
    """Shows one raw event; ``normalized_link_clicked`` asks to show a normalized event."""

    #: The user followed the link to a normalized event (its id).
    normalized_link_clicked = Signal(object)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__("Raw event", parent)
        self.raw: Optional[RawEvent] = None
        self.badge = StatusBadge()
        self.title = QLabel("Select a row to see the event as it was received.")
        self.title.setWordWrap(True)
        self.fields: dict[str, QLabel | QLineEdit] = {
            key: _selectable() for key in ("source", "received", "updated", "counts")}
        self.fields["hash"] = _hash_field()
        self.error = _selectable()
        self.link = QLabel()
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.linkActivated.connect(self._on_link_activated)
        self.payload = JsonEditor(read_only=True)
        head = QHBoxLayout()
        head.addWidget(self.badge)
        head.addWidget(self.title, 1)
        form = QFormLayout()
        for key, title in (("source", "Source"), ("received", "Received"), ("updated", "Updated"),
                           ("counts", "Attempts · receipts"), ("hash", "Content hash")):
            form.addRow(title, self.fields[key])
        form.addRow("Error", self.error)
        form.addRow("Leads to", self.link)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(form)
        self.payload_label = QLabel("Payload")
        layout.addWidget(self.payload_label)
        layout.addWidget(self.payload, 1)

    def clear(self) -> None:
        self.raw = None
        self.badge.set_status(None)
        self.title.setText("Select a row to see the event as it was received.")
        for label in (*self.fields.values(), self.error):
            label.setText("—")
        self.error.setStyleSheet("")
        self.link.setText("")
        self.payload.setPlainText("")

    def show_event(self, raw: Optional[RawEvent], normalized: Optional[NormalizedEvent]) -> None:
        self.raw = raw
        if raw is None:
            self.badge.set_status(None)
            self.title.setText("This raw event no longer exists.")
            return
        self.badge.set_status(raw.status)
        self.title.setText(f"Raw event #{raw.id}")
        self.fields["source"].setText(raw.source if raw.source is not None else "— (none)")
        self.fields["received"].setText(raw.received_at)
        self.fields["updated"].setText(raw.updated_at or "—")
        self.fields["counts"].setText(f"{raw.attempts} · {raw.receipts}")
        self.fields["hash"].setText(raw.content_hash)
        self.fields["hash"].setCursorPosition(0)
        self.error.setText(raw.error or "—")
        self.error.setStyleSheet(f"color: {error_text_colour().name()}; font-weight: bold;" if raw.error else "")
        self.link.setText(self._link_text(raw, normalized))
        payload = payload_text(raw.text) if raw.status != "rejected" else None
        if payload is not None:
            self.payload_label.setText("Payload")
            self.payload.setPlainText(payload)
        else:
            self.payload_label.setText("Text as received")
            self.payload.setPlainText(pretty_received(raw.text))

    @staticmethod
    def _link_text(raw: RawEvent, normalized: Optional[NormalizedEvent]) -> str:
        if raw.normalized_id is not None:
            return f'<a href="{raw.normalized_id}">normalized event #{raw.normalized_id}</a>'
        if raw.duplicate_of is not None:
            owner = f" (from raw event #{normalized.raw_id})" if normalized is not None else ""
            return f'duplicate of <a href="{raw.duplicate_of}">normalized event #{raw.duplicate_of}</a>{owner}'
        return "nothing (no normalized event)"

    def _on_link_activated(self, href: str) -> None:
        self.normalized_link_clicked.emit(int(href) if href.isdigit() else href)
