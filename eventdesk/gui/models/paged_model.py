"""A table model over a store query, loaded a page at a time as the view scrolls.

The model holds only the rows fetched so far. ``fetchMore`` asks the session for the next page
(keyset paging: ``Page.after`` is the sort value and id of the last row), so opening a table
over a million events reads one page. Sorting happens in the store (``Page.sort``). The row
count comes from a separate background count. Answers to an outdated query are dropped: every
reset bumps a generation number that travels with each request.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from eventdesk.app import App
from eventdesk.core.queries import Page
from eventdesk.gui import numbers
from eventdesk.gui.session import Session

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 200
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
EXACT_ROLE = Qt.ItemDataRole.UserRole + 2   # the value exactly as stored (copy, export)
WARNED_ROLE = Qt.ItemDataRole.UserRole + 3  # a status cell of an event normalized with warnings


@dataclass(frozen=True)
class Column:
    key: str                      # attribute of the row object shown in this column
    title: str
    sort: Optional[str] = None    # store sort key; None: not sortable
    numeric: bool = False         # right-aligned
    tip: str = ""


class PagedTableModel(QAbstractTableModel):
    """Base class: subclasses name their columns and the store calls that feed them."""

    #: The background count finished (int), or started again (None).
    total_changed = Signal(object)
    #: A page arrived; the argument is how many rows are loaded now.
    page_loaded = Signal(int)
    #: A page request started or ended (read ``loading``).
    loading_changed = Signal()

    columns: Sequence[Column] = ()
    what = "events"               # for status and error messages: "Loading raw events"

    def __init__(self, session: Session, query: Any, sort: str = "id", descending: bool = True,
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__()
        self.session = session
        self.query = query
        self.sort_key, self.descending = sort, descending
        self.page_size = page_size
        self.rows: list[Any] = []
        self.total: Optional[int] = None
        self.pages_fetched = 0
        self._generation = 0
        self._loading = False
        self._exhausted = True   # nothing to fetch until the first load

    # -- what subclasses provide: query services of eventdesk.app (run in the pool)
    query_page: Callable[[App, Any, Page], list[Any]]
    count: Callable[[App, Any], int]

    def display(self, row: Any, column: Column) -> Any:
        value = getattr(row, column.key)
        if column.numeric and isinstance(value, int):
            return numbers.integer(value)
        return "" if value is None else value

    def exact(self, row: Any, column: Column) -> str:
        """The cell's value as stored: tooltips, Ctrl+C."""
        value = getattr(row, column.key)
        if isinstance(value, (list, tuple)):
            return "\n".join(str(v) for v in value)
        return "" if value is None else str(value)

    def sort_value(self, row: Any) -> Any:
        return getattr(row, self.sort_key)

    # -- loading
    def set_query(self, query: Any) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        """Forget the loaded rows; fetch the first page and count again."""
        self._generation += 1
        self.beginResetModel()
        self.rows, self.total, self.pages_fetched = [], None, 0
        self._exhausted, self._loading = False, False
        self.endResetModel()
        self.total_changed.emit(None)
        if self.session.app is None:
            self._exhausted = True
            return
        self._request_page()
        generation = self._generation
        self.session.run(self.count, self.query, doing=f"Counting {self.what}",
                         on_result=lambda n: self._on_count_finished(generation, n))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            self._request_page()

    def _request_page(self) -> None:
        after = None
        if self.rows:
            last = self.rows[-1]
            after = (self.sort_value(last), last.id)
        page = Page(self.sort_key, self.descending, after, self.page_size)
        generation = self._generation
        self._set_loading(True)
        job = self.session.run(self.query_page, self.query, page, doing=f"Loading {self.what}",
                               on_result=lambda rows: self._on_page_loaded(generation, rows),
                               on_error=lambda exc: self._on_page_failed(generation))
        if job is None:
            self._set_loading(False)

    def _on_page_loaded(self, generation: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self.pages_fetched += 1
        self._exhausted = len(rows) < self.page_size
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)  # last is inclusive
            self.rows.extend(rows)
            self.endInsertRows()
        self._set_loading(False)
        self.page_loaded.emit(len(self.rows))

    def _on_page_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._exhausted = True  # stop asking; F5 tries again
            self._set_loading(False)

    def _on_count_finished(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self.total = total
            self.total_changed.emit(total)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit()

    @property
    def loading(self) -> bool:
        return self._loading

    # -- sorting in the store
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or self.columns[column].sort is None:
            return
        key, descending = self.columns[column].sort, order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload()

    def sort_column(self) -> int:
        """The column that shows the current sort key (for the header's indicator)."""
        for i, column in enumerate(self.columns):
            if column.sort == self.sort_key:
                return i
        return -1

    # -- the table
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            sortable = "click to sort" if column.sort else "not sortable"
            return f"{column.tip} ({sortable})" if column.tip else sortable
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role in (Qt.ItemDataRole.ToolTipRole, EXACT_ROLE):
            return self.exact(row, column) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        return None

    def row_at(self, row: int) -> Any:
        return self.rows[row] if 0 <= row < len(self.rows) else None
