"""Status shown as a coloured pill with its word: in table cells (delegate) and as a label."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from eventdesk.gui.models.paged_model import WARNED_ROLE
from eventdesk.gui.theme import (
    LOUD_STATUSES,
    OUTCOME_COLOURS,
    STATUS_COLOURS,
    WARNING_BANNER,
    outcome_colours,
    pill_style,
    status_colours,
)

Index = QModelIndex | QPersistentModelIndex


class StatusDelegate(QStyledItemDelegate):
    """Paints the cell's text (a status) as a rounded, coloured pill with the word in it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        status = index.data(Qt.ItemDataRole.DisplayRole)
        if not status:
            return super().paint(painter, option, index)
        style = option.widget.style() if option.widget else None
        if style is not None and option.state & QStyle.StateFlag.State_Selected:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        fill, text = status_colours(str(status)) if str(status) in STATUS_COLOURS else outcome_colours(str(status))
        if index.data(WARNED_ROLE):  # normalized with warnings: never the plain green pill
            fill, text = QColor(WARNING_BANNER[0]), QColor(WARNING_BANNER[1])
            status = f"{status} ⚠"
        font = QFont(option.font)
        font.setBold(str(status) in LOUD_STATUSES or str(status) == "failed")
        fm = QFontMetrics(font)
        pad = fm.height() // 2
        width = min(option.rect.width() - 4, fm.horizontalAdvance(str(status)) + 2 * pad)
        height = min(option.rect.height() - 4, fm.height() + 4)
        pill = QRect(option.rect.left() + 3, option.rect.center().y() - height // 2 + 1, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(text)
        painter.setFont(font)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, str(status))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + option.fontMetrics.height() + 8, hint.height() + 4)


class StatusBadge(QLabel):
    """A label showing one status or outcome as a pill; empty text hides the colour."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_status(None)

    def set_status(self, word: Optional[str], warned: bool = False) -> None:
        """``warned``: normalized, but with warnings: an orange pill that says so, never a plain green."""
        if not word:
            self.setText("")
            self.setStyleSheet("")
            return
        colours = STATUS_COLOURS.get(word) or OUTCOME_COLOURS.get(word) or ("#6b7280", "#ffffff")
        text = word.replace("_", " ") if word in OUTCOME_COLOURS else word
        if warned:
            colours, text = WARNING_BANNER, f"{text} ⚠ with warnings"
        self.setText(text)
        self.setStyleSheet(pill_style(colours))
