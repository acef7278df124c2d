"""The saved versions of the mappings, oldest first, each with what it changed; show one, load
it into the draft, or roll back to it (a new version with its content: history is append-only)."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from eventdesk.app import mappings
from eventdesk.gui.session import Session
from eventdesk.gui.widgets.json_editor import JsonEditor
from eventdesk.gui.widgets.tables import read_only_table

COLUMNS = ("Version", "Saved at (UTC)", "By", "Changes", "Note")


class VersionsPane(QWidget):
    """History list, a viewer of the selected version, Rollback and Load into draft."""

    #: Rollback made a new version: its number.
    rolled_back = Signal(int)
    #: The user wants this JSON text as the draft.
    load_requested = Signal(str)

    def __init__(self, session: Session, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session = session
        self.entries: list[Any] = []
        self.shown_version: Optional[int] = None
        self.table = read_only_table(COLUMNS, rows=True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.show_selected)
        self.viewer = JsonEditor(read_only=True)
        self.show_button = QPushButton("Show")
        self.show_button.clicked.connect(self.show_selected)
        self.load_button = QPushButton("Load into draft")
        self.load_button.clicked.connect(lambda: self.load_requested.emit(self.viewer.toPlainText()))
        self.rollback_button = QPushButton("Roll back to this version")
        self.rollback_button.clicked.connect(self.rollback_selected)
        for button in (self.show_button, self.load_button, self.rollback_button):
            button.setEnabled(False)
        buttons = QHBoxLayout()
        for button in (self.show_button, self.load_button, self.rollback_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)
        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.viewer)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def refresh(self) -> None:
        self.session.run(mappings.history, doing="Loading the mappings history", on_result=self._on_history)

    def _on_history(self, entries: list[Any]) -> None:
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            data = entry.to_json()
            version = f"{data['version']} (current)" if data["current"] else str(data["version"])
            for column, value in enumerate((version, data["saved_at"], data["saved_by"],
                                            data["changes"], data["note"])):
                item = QTableWidgetItem("" if value is None else str(value))
                item.setToolTip(item.text())
                self.table.setItem(row, column, item)

    def selected_version(self) -> Optional[int]:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()].saved.version if rows else None

    def select_version(self, version: int) -> None:
        for row, entry in enumerate(self.entries):
            if entry.saved.version == version:
                self.table.selectRow(row)

    def show_selected(self) -> None:
        version = self.selected_version()
        self.show_button.setEnabled(version is not None)
        self.rollback_button.setEnabled(version is not None)
        if version is None:
            return
        self.session.run(mappings.show_version, version, doing=f"Loading mappings version {version}",
                         on_result=lambda text: self._on_shown(version, text))

    def _on_shown(self, version: int, text: str) -> None:
        self.shown_version = version
        self.viewer.setPlainText(text)
        self.load_button.setEnabled(True)

    def rollback_selected(self) -> None:
        version = self.selected_version()
        if version is None:
            return
        self.rollback_button.setEnabled(False)
        self.session.run(mappings.rollback, version, doing=f"Rolling back to mappings version {version}",
                         writes=True, on_result=self._on_rolled_back,
                         on_error=lambda _exc: self.rollback_button.setEnabled(True))

    def _on_rolled_back(self, new_version: int) -> None:
        self.session.messages.info(f"Rolled back: mappings version {new_version} is now current")
        self.rolled_back.emit(new_version)
        self.refresh()
