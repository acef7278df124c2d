"""A sparkline painted in a table cell: one bar per bucket of a series of counts.

The series is computed in the background pool (``core.triage.timeline``) and stored on the item
under ``SERIES_ROLE``; the delegate only paints, which is cheap and must happen on the GUI thread.
"""
from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

SERIES_ROLE = Qt.ItemDataRole.UserRole + 1
WIDTH, HEIGHT, MARGIN = 120, 18, 3
Index = QModelIndex | QPersistentModelIndex


def bar_heights(counts: Sequence[int], height: float) -> list[float]:
    """Each bar's height: proportional to the largest, and any non-zero count at least one pixel."""
    peak = max(counts, default=0)
    if peak <= 0:
        return [0.0] * len(counts)
    return [max(1.0, height * n / peak) if n else 0.0 for n in counts]


class SparklineDelegate(QStyledItemDelegate):
    """Paints the counts of ``SERIES_ROLE`` as bars, scaled to the cell; the tooltip says the numbers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget is not None else None
        if style is not None:  # the selection and alternating background, as other cells
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        counts = index.data(SERIES_ROLE) or ()
        if not counts:
            return
        area = QRectF(option.rect).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        step = area.width() / len(counts)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(option.palette.color(role))
        for i, height in enumerate(bar_heights(counts, area.height())):
            if height:
                left = area.left() + i * step
                painter.drawRect(QRectF(left, area.bottom() - height, max(1.0, step - (step > 3)), height))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        return QSize(WIDTH, HEIGHT + 2 * MARGIN)


def series_summary(unit: str, start: Any, counts: Sequence[int]) -> str:
    """The tooltip: what the bars show, in words and numbers."""
    if not counts:
        return "no events"
    peak = max(counts)
    day = str(start)[:10] if unit == "day" else str(start)[:13].replace("T", " ") + ":00"
    return (f"{sum(counts):,} events over {len(counts):,} {unit}{'s' if len(counts) != 1 else ''} "
            f"from {day} UTC; busiest {unit}: {peak:,}")
