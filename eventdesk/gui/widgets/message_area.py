"""The message area: one banner under the menu bar where errors and results are written.

It listens to ``MessageRouter.posted``. Errors stay until dismissed or replaced; notices fade
after a while. Earlier messages are one click away (the "History" button).
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from eventdesk.gui.messages import ERROR, WARNING, MessageRouter
from eventdesk.gui.theme import ERROR_BANNER, INFO_BANNER, WARNING_BANNER

_STYLES = {ERROR: ERROR_BANNER, WARNING: WARNING_BANNER}
INFO_TIMEOUT_MS = 12_000


class MessageArea(QFrame):
    """Shows the latest message in words; hidden when there is nothing to say."""

    def __init__(self, router: MessageRouter, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.router = router
        self.level = ""
        self.label = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setObjectName("messageText")
        self.history_button = QToolButton(text="History", autoRaise=True)
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history_button.setMenu(QMenu(self.history_button))
        self.history_button.menu().aboutToShow.connect(self._on_history_shown)
        self.close_button = QToolButton(text="✕", autoRaise=True, toolTip="Dismiss (Esc)")
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.history_button)
        layout.addWidget(self.close_button)
        self._fade = QTimer(self, singleShot=True, interval=INFO_TIMEOUT_MS)
        self._fade.timeout.connect(self.dismiss)
        router.posted.connect(self._on_message_posted)
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def _on_message_posted(self, level: str, text: str) -> None:
        self.level = level
        self.label.setText(text)
        fill, colour = _STYLES.get(level, INFO_BANNER)
        self.setStyleSheet(f"MessageArea {{ background-color: {fill}; border-radius: 4px; }}"
                           f" QLabel, QToolButton {{ color: {colour}; font-weight: bold; }}")
        self.show()
        if level == ERROR:
            self._fade.stop()
        else:
            self._fade.start()

    def dismiss(self) -> None:
        self._fade.stop()
        self.hide()

    def _on_history_shown(self) -> None:
        menu = self.history_button.menu()
        menu.clear()
        for level, text in reversed(self.router.history[-20:]):
            action = menu.addAction(f"[{level}] {text[:160]}")
            action.setEnabled(False)
