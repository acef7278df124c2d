"""The message area: one line in the status bar where errors and results are written.

It listens to ``MessageRouter.posted``. It has a fixed height and is always there, so a message
arriving or fading never moves the window's content. Errors stay until dismissed or replaced;
notices fade after a while. Every message, with its time, stays in View › Message history.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from eventdesk.gui.messages import ERROR, WARNING, MessageRouter
from eventdesk.gui.theme import ERROR_BANNER, INFO_BANNER, WARNING_BANNER

_STYLES = {ERROR: ERROR_BANNER, WARNING: WARNING_BANNER}
INFO_TIMEOUT_MS = 12_000
KEPT = 200


class MessageArea(QFrame):
    """Shows the latest message on one line (whole in the tooltip); empty when it has faded."""

    #: The user asked for the history (the History button).
    history_requested = Signal()

    def __init__(self, router: MessageRouter, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.router = router
        self.level = ""
        self.current = ""
        self.entries: list[tuple[str, str, str]] = []   # (UTC time, level, text)
        self.label = QLabel(textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setObjectName("messageText")
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.history_button = QToolButton(text="History", autoRaise=True,
                                          toolTip="every message of this session, with its time")
        self.history_button.clicked.connect(self.history_requested)
        self.close_button = QToolButton(text="✕", autoRaise=True, toolTip="Dismiss")
        self.close_button.clicked.connect(self.dismiss)
        policy = self.close_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # appearing and hiding never shifts the line
        self.close_button.setSizePolicy(policy)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 2, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.history_button)
        layout.addWidget(self.close_button)
        self.setFixedHeight(max(self.fontMetrics().height() + 10, self.close_button.sizeHint().height()))
        self._fade = QTimer(self, singleShot=True, interval=INFO_TIMEOUT_MS)
        self._fade.timeout.connect(self.dismiss)
        router.posted.connect(self._on_message_posted)
        self.dismiss()

    @property
    def text(self) -> str:
        """The message shown now ("" once it faded or was dismissed)."""
        return self.current

    def _on_message_posted(self, level: str, text: str) -> None:
        self.entries.append((datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"), level, text))
        del self.entries[:-KEPT]
        self.level, self.current = level, text
        self._show_text()
        fill, colour = _STYLES.get(level, INFO_BANNER)
        self.setStyleSheet(f"MessageArea {{ background-color: {fill}; border-radius: 3px; }}"
                           f" QLabel, QToolButton {{ color: {colour}; font-weight: bold; }}")
        self.close_button.setVisible(True)
        if level == ERROR:
            self._fade.stop()
        else:
            self._fade.start()

    def _show_text(self) -> None:
        flat = " ".join(self.current.split())
        if not self.isVisible():  # no width yet: elide once it is shown (resizeEvent)
            self.label.setText(flat)
        else:
            width = max(40, self.label.width())
            self.label.setText(QFontMetrics(self.label.font()).elidedText(flat, Qt.TextElideMode.ElideRight, width))
        self.label.setToolTip(self.current)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.current:
            self._show_text()

    def dismiss(self) -> None:
        self._fade.stop()
        self.level, self.current = "", ""
        self.label.setText("")
        self.label.setToolTip("")
        self.setStyleSheet("")
        self.close_button.setVisible(False)  # keeps its room: retainSizeWhenHidden


class MessageHistory(QDialog):
    """Every message of this session, newest first, with its time (UTC), in readable text."""

    def __init__(self, area: MessageArea, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Message history")
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Time (UTC)", "Level", "Message"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.fill(area.entries)
        self.resize(self.fontMetrics().averageCharWidth() * 110, self.fontMetrics().height() * 24)

    def fill(self, entries: list[tuple[str, str, str]]) -> None:
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(reversed(entries)):
            for column, value in enumerate(entry):
                item = QTableWidgetItem(value)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        self.table.resizeRowsToContents()
        if not entries:
            self.table.setRowCount(1)
            self.table.setItem(0, 2, QTableWidgetItem("No messages yet."))
