"""Status filter: one toggle per status, coloured like the status; none pressed means any."""
from __future__ import annotations

from typing import Iterable, Optional

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from eventdesk.core.model import ALL_STATUSES
from eventdesk.gui.theme import STATUS_COLOURS


class StatusFilter(QWidget):
    """A row of toggles, one per raw status."""

    #: The set of pressed statuses changed.
    changed = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(QLabel("Status:"))
        self.buttons: dict[str, QPushButton] = {}
        for status in ALL_STATUSES:
            button = QPushButton(status, checkable=True)
            button.setToolTip(f"show {status} events (none pressed: any status)")
            fill, text = STATUS_COLOURS[status]
            button.setStyleSheet(
                f"QPushButton {{ border: 2px solid {fill}; border-radius: 10px; padding: 2px 9px; }}"
                f" QPushButton:checked {{ background-color: {fill}; color: {text}; font-weight: bold; }}")
            bold = QFont(button.font())
            bold.setBold(True)  # checked buttons are bold: leave room for it
            button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(status) + 26)
            button.toggled.connect(self.changed)
            self.buttons[status] = button
            layout.addWidget(button)
        layout.addStretch(1)

    def selected(self) -> tuple[str, ...]:
        return tuple(s for s, b in self.buttons.items() if b.isChecked())

    def set_selected(self, statuses: Iterable[str]) -> None:
        wanted = set(statuses)
        was_blocked = self.blockSignals(True)
        try:
            for status, button in self.buttons.items():
                button.setChecked(status in wanted)
        finally:
            self.blockSignals(was_blocked)
        if not was_blocked:
            self.changed.emit()
