"""Column widths for a table of text and numbers: numbers are never elided (each numeric column
is at least as wide as its widest value); text columns give way when space is short; spare
width goes to the numeric columns. Refitted when the rows change and when the table resizes."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView

MIN_TEXT_CHARS = 6
CELL_PADDING = 8  # pixels beyond the style's margins: a number never touches the grid line


class ColumnFitter(QObject):
    def __init__(self, table: QTableView, text_columns: Sequence[int], numeric_columns: Sequence[int]) -> None:
        super().__init__(table)
        self.table, self.text, self.numeric = table, tuple(text_columns), tuple(numeric_columns)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in (*self.text, *self.numeric):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def needed(self, column: int) -> int:
        """The width the column's widest cell (or its title) needs; numbers over every row, not
        only the rows in view (Qt's sizeHintForColumn), so that a scrolled-to value fits too."""
        title = self.table.horizontalHeader().sectionSizeHint(column)
        if column not in self.numeric:
            return max(self.table.sizeHintForColumn(column), title)
        model, metrics = self.table.model(), self.table.fontMetrics()
        margin = self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1
        widest = max((metrics.horizontalAdvance(str(model.index(r, column).data() or ""))
                      for r in range(model.rowCount())), default=0)
        return max(widest + 2 * margin + CELL_PADDING, title)

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        available = self.table.viewport().width()
        numbers = {c: self.needed(c) for c in self.numeric}
        texts = {c: self.needed(c) for c in self.text}
        spare = available - sum(numbers.values()) - sum(texts.values())
        if spare >= 0:
            share = spare // max(1, len(numbers))
            for column, width in numbers.items():
                header.resizeSection(column, width + share)
            for column, width in texts.items():
                header.resizeSection(column, width)
            return
        for column, width in numbers.items():  # in full, always
            header.resizeSection(column, width)
        floor = self.table.fontMetrics().averageCharWidth() * MIN_TEXT_CHARS
        room = max(available - sum(numbers.values()), floor * len(texts))
        wanted = sum(texts.values()) or 1
        for column, width in texts.items():  # shrink in proportion, never below a few characters
            header.resizeSection(column, max(min(width, floor), width * room // wanted))
