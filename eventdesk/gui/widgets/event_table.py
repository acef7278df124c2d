"""A table view set up for paged event models: row selection, store-side sorting."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from eventdesk.gui.models.paged_model import EXACT_ROLE, PagedTableModel


def copy_selection(view: QTableView) -> str:
    """The selected rows as tab-separated exact values (as stored, not as shown), to the clipboard."""
    model = view.model()
    rows = sorted({i.row() for i in view.selectionModel().selectedIndexes()})
    columns = [view.horizontalHeader().logicalIndex(v) for v in range(model.columnCount())]
    lines = []
    for row in rows:
        cells = []
        for column in columns:
            index = model.index(row, column)
            value = model.data(index, EXACT_ROLE)
            cells.append(str(value if value is not None else model.data(index) or "").replace("\t", " ")
                         .replace("\n", "; "))
        lines.append("\t".join(cells))
    text = "\n".join(lines)
    QGuiApplication.clipboard().setText(text)
    return text


NUMBER_PADDING = 18  # the style's cell margins and a little air, as set_column_widths uses

class CopyingTable(QTableView):
    """A table whose Ctrl+C copies the selected rows' exact values."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Copy):
            copy_selection(self)
            event.accept()
            return
        super().keyPressEvent(event)


class EventTable(CopyingTable):
    """Rows of events; clicking a sortable header sorts in the store, others are ignored."""

    def __init__(self, model: PagedTableModel, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring: fast
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setSortIndicator(model.sort_column(), Qt.SortOrder.DescendingOrder if model.descending
                                else Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._on_sort_indicator_changed)
        model.rowsInserted.connect(self._widen_numbers)

    def event_model(self) -> PagedTableModel:
        model = self.model()
        assert isinstance(model, PagedTableModel)
        return model

    def _on_sort_indicator_changed(self, column: int, _order: Any) -> None:
        model = self.event_model()
        if model.columns[column].sort is None:  # not sortable: put the indicator back
            header = self.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(model.sort_column(), Qt.SortOrder.DescendingOrder if model.descending
                                    else Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)

    def _widen_numbers(self, _parent: Any, first: int, last: int) -> None:
        """Numbers are never elided: a numeric column grows to the widest value of each new page."""
        model, metrics = self.event_model(), self.fontMetrics()
        for column, spec in enumerate(model.columns):
            if not spec.numeric:
                continue
            widest = max((metrics.horizontalAdvance(str(model.index(r, column).data() or ""))
                          for r in range(first, last + 1)), default=0)
            if widest + NUMBER_PADDING > self.columnWidth(column):
                self.setColumnWidth(column, widest + NUMBER_PADDING)

    def set_column_widths(self, samples: dict[int, str]) -> None:
        """Each column as wide as a sample of its content (or its title), in the current font."""
        metrics, header = self.fontMetrics(), self.horizontalHeader()
        model = self.event_model()
        for column, sample in samples.items():
            title = str(model.headerData(column, Qt.Orientation.Horizontal))
            width = max(metrics.horizontalAdvance(sample) + 18, header.fontMetrics().horizontalAdvance(title) + 24)
            self.setColumnWidth(column, width)

    def selected_rows(self) -> list[Any]:
        model = self.event_model()
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        return [model.row_at(r) for r in rows if model.row_at(r) is not None]

    def current_row(self) -> Any:
        index = self.currentIndex()
        return self.event_model().row_at(index.row()) if index.isValid() else None
