"""A list of check boxes for choosing several values (clients, metrics); none checked = all; and
a combo box of fixed choices."""
from __future__ import annotations

from typing import Iterable, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem, QWidget


class CheckList(QListWidget):
    """Checkable values; ``checked()`` is empty when the user wants all of them."""

    #: The set of checked values changed.
    changed = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.itemChanged.connect(lambda _item: self.changed.emit())
        self.setMaximumHeight(self.fontMetrics().height() * 8)

    def set_values(self, values: Iterable[str], checked: Iterable[str] = ()) -> None:
        wanted = set(checked)
        was_blocked = self.blockSignals(True)
        try:
            self.clear()
            for value in sorted(set(values) | wanted):
                item = QListWidgetItem(value)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if value in wanted else Qt.CheckState.Unchecked)
                self.addItem(item)
        finally:
            self.blockSignals(was_blocked)

    def checked(self) -> tuple[str, ...]:
        return tuple(self.item(i).text() for i in range(self.count())
                     if self.item(i).checkState() == Qt.CheckState.Checked)

    def set_checked(self, values: Iterable[str]) -> None:
        wanted = set(values)
        was_blocked = self.blockSignals(True)
        try:
            for i in range(self.count()):
                item = self.item(i)
                item.setCheckState(Qt.CheckState.Checked if item.text() in wanted else Qt.CheckState.Unchecked)
        finally:
            self.blockSignals(was_blocked)
        if not was_blocked:
            self.changed.emit()


def combo_of(items: tuple[str, ...], current: str) -> QComboBox:
    """A combo box of fixed choices with ``current`` chosen."""
    combo = QComboBox()
    combo.addItems(list(items))
    combo.setCurrentText(current)
    return combo
