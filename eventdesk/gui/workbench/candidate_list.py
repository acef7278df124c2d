"""An ordered list of candidate keys for one canonical field: add, remove, move, edit in place.

The first candidate present and non-null wins (design 5); dotted paths read nested objects.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QWidget,
)


class CandidateList(QWidget):
    """The candidates of one field, in order; empty means "as the defaults"."""

    #: The user changed the candidates (added, removed, moved or edited one).
    changed = Signal()

    def __init__(self, field: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.field = field
        self.title = QLabel(f"<b>{field}</b>")
        self.inherited_label = QLabel()
        self.inherited_label.setWordWrap(True)
        self.inherited_label.setEnabled(False)  # greyed: what applies while the list is empty
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setMaximumHeight(self.fontMetrics().height() * 3 + 10)
        self.list.itemChanged.connect(self._on_item_edited)
        self.list.model().rowsMoved.connect(lambda *_: self.changed.emit())
        self.key_edit = QLineEdit(placeholderText="key or dotted.path, Enter adds")
        self.key_edit.setObjectName(f"{field}_key")
        self.key_edit.returnPressed.connect(self.add_typed)
        self.add_button = self._button("+", "add the typed key at the end", self.add_typed)
        self.remove_button = self._button("−", "remove the selected key", self.remove_selected)
        self.up_button = self._button("↑", "try the selected key earlier", lambda: self.move_selected(-1))
        self.down_button = self._button("↓", "try the selected key later", lambda: self.move_selected(1))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        grid.addWidget(self.title, 0, 0, 1, 5)
        grid.addWidget(self.inherited_label, 1, 0, 1, 5)
        grid.addWidget(self.list, 2, 0, 3, 4)
        for row, button in enumerate((self.up_button, self.down_button, self.remove_button), start=2):
            grid.addWidget(button, row, 4)
        grid.addWidget(self.key_edit, 5, 0, 1, 4)
        grid.addWidget(self.add_button, 5, 4)
        grid.setColumnStretch(0, 1)

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # -- reading and writing
    def candidates(self) -> list[str]:
        return [self.list.item(i).text().strip() for i in range(self.list.count())
                if self.list.item(i).text().strip()]

    def set_candidates(self, candidates: list[str], inherited: list[str]) -> None:
        """Show ``candidates`` (without emitting ``changed``); ``inherited`` apply while it is empty."""
        self.list.blockSignals(True)
        self.list.clear()
        for name in candidates:
            self.list.addItem(self._item(str(name)))
        self.list.blockSignals(False)
        self.inherited_label.setText("" if candidates else "empty: as defaults, " + ", ".join(map(str, inherited)))
        self.inherited_label.setVisible(not candidates)

    def _item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        return item

    # -- the user's edits
    def add_typed(self) -> None:
        text = self.key_edit.text().strip()
        if not text:
            return
        self.list.addItem(self._item(text))
        self.list.setCurrentRow(self.list.count() - 1)
        self.key_edit.clear()
        self.inherited_label.setVisible(False)
        self.changed.emit()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self.changed.emit()

    def move_selected(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        self.list.blockSignals(True)
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.blockSignals(False)
        self.list.setCurrentRow(target)
        self.changed.emit()

    def _on_item_edited(self, _item: QListWidgetItem) -> None:
        self.changed.emit()

    def set_fault(self, fault: bool) -> None:
        """Mark the list as the entry at fault (red frame), or clear the mark."""
        self.list.setProperty("fault", fault)
        self.list.setStyleSheet("QListWidget { border: 2px solid #d32f2f; }" if fault else "")
