"""A statistic as a card: a caption, a big number, a line of detail, an optional colour stripe."""
from __future__ import annotations

from typing import Optional

from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


class StatCard(QFrame):
    """One number with its caption."""

    def __init__(self, caption: str, colour: Optional[str] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        if colour:
            self.setObjectName("card")
            self.setStyleSheet(f"QFrame#card {{ border-left: 6px solid {colour}; }}")
        self.caption = QLabel(caption)
        self.value = QLabel("—")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value.setFont(font)
        self.detail = QLabel(" ")
        self.detail.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        for label in (self.caption, self.detail):  # wrap rather than widen the window
            label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def set_value(self, value: str, detail: str = " ") -> None:
        self.value.setText(value)
        self.detail.setText(detail)
