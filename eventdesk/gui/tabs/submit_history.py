"""This session's submissions, newest first, with Resend (to play a client that retries).

Rows are numbered #1, #2... in the order sent; a re-send says which submission it repeats
("resend of #N", always the first of the chain) and an event's warnings show beside it.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from eventdesk.gui.tabs.submit_result import Submission
from eventdesk.gui.widgets.status_badge import StatusDelegate

HEADERS = ("Sent (UTC)", "Outcome", "Source", "Raw id", "Simulated failure", "Error", "Notes")
NOTES = len(HEADERS) - 1


def notes(submission: Submission) -> str:
    """``resend of #N`` and the event's warnings, for the Notes column."""
    parts = [f"resend of #{submission.resend_of}"] if submission.resend_of is not None else []
    parts += [f"⚠ {warning}" for warning in submission.warnings]
    return " · ".join(parts)


class SubmitHistory(QGroupBox):
    """A table of ``Submission``; Resend sends the same text again."""

    #: The user asked to send this submission's text again.
    resend_requested = Signal(object)
    #: The user asked to show this submission (result panel and editor).
    show_requested = Signal(object)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__("History of this session", parent)
        self.submissions: list[Submission] = []
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setItemDelegateForColumn(1, StatusDelegate(self.table))
        self.table.setAlternatingRowColors(True)
        char = self.fontMetrics().averageCharWidth()
        for column, chars in enumerate((20, 22, 12, 9, 18, 30)):
            self.table.setColumnWidth(column, chars * char + 16)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self._on_show_clicked())
        self.resend_button = QPushButton("Resend", enabled=False,
                                         toolTip="send the selected submissions again, as a retrying client would")
        self.resend_button.clicked.connect(self._on_resend_clicked)
        self.show_button = QPushButton("Show", enabled=False, toolTip="show it in the editor and result panel")
        self.show_button.clicked.connect(self._on_show_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resend_button)
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add(self, submission: Submission) -> None:
        """Show ``submission`` as the newest row (numbering it) and scroll to it."""
        submission.number = len(self.submissions) + 1
        self.submissions.insert(0, submission)
        result = submission.result
        self.table.insertRow(0)
        self.table.setVerticalHeaderItem(0, QTableWidgetItem(f"#{submission.number}"))
        values = (submission.sent_at, result.outcome.value, submission.source,
                  "" if result.raw_id is None else str(result.raw_id), submission.fault or "",
                  result.error or "", notes(submission))
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(value)
            self.table.setItem(0, column, item)
        self.table.scrollToItem(self.table.item(0, 0), QAbstractItemView.ScrollHint.PositionAtTop)

    def clear(self) -> None:
        """Forget every submission (another store is open: their ids mean nothing there)."""
        self.submissions.clear()
        self.table.setRowCount(0)

    def select(self, row: int) -> None:
        self.table.selectRow(row)

    def selected(self) -> list[Submission]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.submissions[r] for r in rows if r < len(self.submissions)]

    def _on_selection_changed(self) -> None:
        chosen = bool(self.table.selectionModel().selectedRows())
        self.resend_button.setEnabled(chosen)
        self.show_button.setEnabled(chosen)

    def _on_resend_clicked(self) -> None:
        for submission in reversed(self.selected()):  # oldest first, as they were sent
            self.resend_requested.emit(submission)

    def _on_show_clicked(self) -> None:
        chosen = self.selected()
        if chosen:
            self.show_requested.emit(chosen[0])
