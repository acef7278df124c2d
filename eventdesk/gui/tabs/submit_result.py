"""The Submit tab's result panel: outcome, ids, hashes, the normalized event and its warnings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from eventdesk.core.intake import read_envelope
from eventdesk.core.model import NormalizedEvent, RawEvent, SubmitResult
from eventdesk.gui.tabs.submit_story import stored_line, story
from eventdesk.gui.theme import warning_text_colour
from eventdesk.gui.widgets.json_editor import JsonEditor
from eventdesk.gui.widgets.status_badge import StatusBadge

EMPTY_SUMMARY = "Submit an event to see what becomes of it."


@dataclass
class Submission:
    """One submission of this session: what was sent, what came of it, and the raw event with
    its content as stored just before (``before``) and just after (``after``) it."""

    sent_at: str
    text: str
    fault: Optional[str]
    result: SubmitResult
    normalized: Optional[NormalizedEvent] = None
    before: Optional[RawEvent] = None
    after: Optional[RawEvent] = None
    number: int = 0                 # 1 for the session's first submission
    resend_of: Optional[int] = None  # the number of the submission this one re-sent

    @property
    def source(self) -> str:
        """The source as the store keeps it (rejected events too, where it can be read), or —."""
        return read_envelope(self.text).source or "—"

    @property
    def warnings(self) -> list[str]:
        """This event's own warnings (a semantic duplicate's normalized event is another's)."""
        if self.result.canonical is not None:
            return list(self.result.canonical.warnings)
        own = {self.result.raw_id, self.after.id if self.after is not None else None} - {None}
        return list(self.normalized.warnings) if self.normalized is not None and self.normalized.raw_id in own else []

    @property
    def story(self) -> str:
        return story(self.result, self.fault, self.before, self.after)


def normalized_json(event: NormalizedEvent) -> dict[str, Any]:
    return {"id": event.id, "raw_id": event.raw_id, "client_id": event.client_id, "metric": event.metric,
            "amount": event.amount, "timestamp": event.timestamp, "normalized_hash": event.normalized_hash,
            "warnings": event.warnings}


def _value_label() -> QLabel:
    label = QLabel("—")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def _hash_field() -> QLineEdit:
    """A 64-digit hash: shown whole when it fits, scrollable and copyable when it does not."""
    field = QLineEdit("—", readOnly=True, frame=False)
    field.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    field.setStyleSheet("background: transparent;")
    return field


class SubmitResultPanel(QGroupBox):
    """Shows one ``Submission``."""

    #: The reply's fields (as ``eventdesk submit --json`` prints them), then the hashes.
    FIELDS = (("raw_id", "Raw id"), ("normalized_id", "Normalized id"), ("status", "Raw status"),
              ("content_hash", "Content hash"), ("normalized_hash", "Normalized hash"), ("error", "Error"))

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__("Result", parent)
        self.badge = StatusBadge()
        self.summary = QLabel(EMPTY_SUMMARY)
        self.summary.setWordWrap(True)
        self.values: dict[str, QLabel | QLineEdit] = {}
        form = QFormLayout()
        for key, title in self.FIELDS:
            self.values[key] = _hash_field() if key.endswith("hash") else _value_label()
            form.addRow(title, self.values[key])
        self.stored = _value_label()
        form.addRow("Stored now", self.stored)
        self.normalized = JsonEditor(read_only=True)
        self.normalized.setPlaceholderText("no normalized event")
        self.warnings = QLabel("—")
        self.warnings.setWordWrap(True)
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Warnings", self.warnings)
        head = QHBoxLayout()
        head.addWidget(self.badge)
        head.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(form)
        layout.addWidget(QLabel("Normalized event"))
        layout.addWidget(self.normalized, 1)

    @property
    def outcome(self) -> str:
        return self.badge.property("outcome") or ""

    def clear(self) -> None:
        """Back to the empty panel (another store is open)."""
        self.badge.set_status(None)
        self.badge.setProperty("outcome", "")
        self.summary.setText(EMPTY_SUMMARY)
        for field in (*self.values.values(), self.stored, self.warnings):
            field.setText("—")
        self.warnings.setStyleSheet("")
        self.normalized.setPlainText("")

    def show_submission(self, submission: Submission) -> None:
        result = submission.result
        outcome = result.outcome.value
        self.badge.set_status(outcome)
        self.badge.setProperty("outcome", outcome)
        fault = f"[simulated failure: {submission.fault}] " if submission.fault else ""
        self.summary.setText(fault + submission.story)
        self.stored.setText(stored_line(submission.after))
        for key, _title in self.FIELDS:
            value = getattr(result, key)
            field = self.values[key]
            field.setText("—" if value is None else str(value))
            if isinstance(field, QLineEdit):
                field.setCursorPosition(0)
        event = submission.normalized
        if event is not None:
            self.values["normalized_hash"].setText(event.normalized_hash)
            self.values["normalized_hash"].setCursorPosition(0)
            self.normalized.set_json(normalized_json(event))
        elif result.canonical is not None:
            c = result.canonical
            self.normalized.set_json({"client_id": c.client_id, "metric": c.metric,
                                      "amount": None if c.amount is None else str(c.amount),
                                      "timestamp": None if c.timestamp is None else c.timestamp.isoformat(),
                                      "warnings": list(c.warnings), "stored": False})
        else:
            self.normalized.setPlainText("")
        warnings = submission.warnings
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings) if warnings else "none")
        self.warnings.setStyleSheet(f"color: {warning_text_colour().name()}; font-weight: bold;" if warnings else "")
