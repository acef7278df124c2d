"""The details of one raw event: status, counters, error, the text as received (pretty), and a
link to its normalized event or to the one it duplicates."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from eventdesk.core.model import NormalizedEvent, RawEvent
from eventdesk.gui.numbers import utc_time
from eventdesk.gui.pretty import payload_text, pretty_received
from eventdesk.gui.tabs.submit_result import _hash_field
from eventdesk.gui.theme import error_text_colour, warning_text_colour
from eventdesk.gui.widgets.json_editor import JsonEditor
from eventdesk.gui.widgets.status_badge import StatusBadge


def warning_field(warning: str) -> str:
    """The canonical field a normalizer warning is about: its first word ('amount: missing…')."""
    return warning.split(" ", 1)[0].rstrip(":")


def _selectable() -> QLabel:
    label = QLabel("—")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def key_marks(editor: JsonEditor, keys: Any, warned: set[str]) -> list[QTextEdit.ExtraSelection]:
    """Highlight each ``"key":`` of the payload that the client's mapping reads."""
    marks = []
    for key in keys:
        last = key.split(".")[-1]
        cursor = editor.document().find(f'"{last}":')
        while not cursor.isNull():
            mark = QTextEdit.ExtraSelection()
            colour = QColor(warning_text_colour() if key in warned else editor.palette().highlight().color())
            colour.setAlpha(90 if key in warned else 60)
            mark.format.setBackground(colour)
            if key in warned:
                mark.format.setFontWeight(QFont.Weight.Bold)
            mark.cursor = cursor
            marks.append(mark)
            cursor = editor.document().find(f'"{last}":', cursor)
    return marks


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
        self.warnings = _selectable()
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
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
        form.addRow("Warnings", self.warnings)
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
        for label in (*self.fields.values(), self.error, self.warnings):
            label.setText("—")
        self.error.setStyleSheet("")
        self.warnings.setStyleSheet("")
        self.payload.setExtraSelections([])
        self.link.setText("")
        self.payload.setPlainText("")

    def show_event(self, raw: Optional[RawEvent], normalized: Optional[NormalizedEvent],
                   keys: Optional[dict[str, str]] = None) -> None:
        self.raw = raw
        if raw is None:
            self.badge.set_status(None)
            self.title.setText("This raw event no longer exists.")
            return
        warnings = list(normalized.warnings) if normalized is not None and raw.normalized_id is not None else []
        self.badge.set_status(raw.status, warned=bool(warnings))
        count = f" — normalized with {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""
        self.title.setText(f"Raw event #{raw.id}{count}")
        self.fields["source"].setText(raw.source if raw.source is not None else "— (none)")
        self.fields["received"].setText(utc_time(raw.received_at, label=True))
        self.fields["updated"].setText(utc_time(raw.updated_at, label=True) if raw.updated_at else "—")
        self.fields["counts"].setText(f"{raw.attempts} · {raw.receipts}")
        self.fields["hash"].setText(raw.content_hash)
        self.fields["hash"].setCursorPosition(0)
        self.error.setText(raw.error or "—")
        self.error.setStyleSheet(f"color: {error_text_colour().name()}; font-weight: bold;" if raw.error else "")
        keys = keys or {}
        self.warnings.setText("\n".join(f"⚠ {warning_field(w)} (key {keys.get(warning_field(w), '?')}): {w}"
                                         for w in warnings) or "—")
        self.warnings.setStyleSheet(f"color: {warning_text_colour().name()}; font-weight: bold;" if warnings else "")
        self.link.setText(self._link_text(raw, normalized))
        payload = payload_text(raw.text) if raw.status != "rejected" else None
        if payload is not None:
            self.payload_label.setText("Payload (the client's keys are highlighted; orange: read with a warning)")
            self.payload.setPlainText(payload)
            warned = {keys[f] for f in map(warning_field, warnings) if f in keys}
            self.payload.setExtraSelections(key_marks(self.payload, keys.values(), warned))
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
