"""What the Raw and Normalized tabs share: filters (debounced, remembered), a paged table, a
row count from the background, and a details pane that follows the current row."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from eventdesk.gui import numbers
from eventdesk.gui.models.paged_model import PagedTableModel
from eventdesk.gui.preferences import Preferences
from eventdesk.gui.session import Session
from eventdesk.gui.spans import span_of_texts
from eventdesk.gui.widgets.debounce import Debouncer
from eventdesk.gui.widgets.event_table import EventTable

ANY = "(any)"
REFRESH_AFTER_WRITE_MS = 400  # a burst of submissions refreshes the table once


def fill_choices(combo: QComboBox, values: list[str], keep: Optional[str]) -> None:
    """Replace a filter combo's choices, keeping the current choice (or a remembered one)."""
    combo.blockSignals(True)
    try:
        combo.clear()
        combo.addItem(ANY, None)
        for value in values:
            combo.addItem(value, value)
        if keep is not None and combo.findData(keep) < 0:
            combo.addItem(keep, keep)
        combo.setCurrentIndex(max(0, combo.findData(keep)) if keep is not None else 0)
    finally:
        combo.blockSignals(False)


class TableTab(QWidget):
    """A filter bar over a paged table, with a details pane beside it."""

    name = "table"   # key for remembered filters

    def __init__(self, session: Session, prefs: Preferences, model: PagedTableModel,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session, self.prefs, self.model = session, prefs, model
        self.table = EventTable(model)
        self.total_label = QLabel(" ")
        self.debounce = Debouncer(self)
        self.debounce.fired.connect(self._on_filters_settled)
        self.refresh_later = Debouncer(self, REFRESH_AFTER_WRITE_MS)
        self.refresh_later.fired.connect(self.refresh)
        self.filters_bar = QHBoxLayout()
        self.actions_bar = QHBoxLayout()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        model.total_changed.connect(self._on_total_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        session.store_opened.connect(self._on_store_opened)
        session.data_changed.connect(self.refresh_later.poke)
        model.modelReset.connect(self._on_model_reset)
        self._shown_id: Any = None

    def build(self, details: QWidget, actions_row: bool = True, count_row: Optional[QHBoxLayout] = None) -> None:
        """Lay out the filter bar, the table and ``details`` (call at the end of __init__).

        The row count goes at the end of ``count_row``, else of the actions row, else of the
        filter row."""
        self.splitter.addWidget(details)
        self.splitter.setSizes([720, 280])  # proportions; the window remembers the user's own
        self.splitter.setStretchFactor(0, 1)
        bar = count_row or (self.actions_bar if actions_row else self.filters_bar)
        bar.addStretch(1)
        bar.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(self.filters_bar)
        if actions_row:
            layout.addLayout(self.actions_bar)
        if count_row is not None:
            layout.addLayout(count_row)
        layout.addWidget(self.splitter, 1)
        self.restore_filters(self.prefs.filters(self.name))

    # -- what subclasses provide
    def build_query(self) -> Any:
        raise NotImplementedError

    def filter_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def restore_filters(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def load_choices(self) -> None:
        """Fetch the values the filter combos offer (in the background)."""

    span_of: Any = None   # a query service giving the data's (first, last) moment as ISO text

    def load_span(self) -> None:
        """Fetch the span of the data for the time filter (in the background)."""
        if self.span_of is not None:
            self.session.run(self.span_of, doing="Reading the span of the data", quiet=True,  # the table reports
                             on_result=lambda ends: self.time_range.set_span(*span_of_texts(ends)))

    def show_details(self, row: Any) -> None:
        raise NotImplementedError

    def clear_details(self) -> None:
        """The rows were reloaded: nothing is selected any more."""

    def focus_filter(self) -> None:
        raise NotImplementedError

    # -- filters
    def filters_changed(self, *_args: Any) -> None:
        """Connected to every filter widget: apply after a pause in typing."""
        self.debounce.poke()

    def _on_filters_settled(self) -> None:
        self.prefs.save_filters(self.name, self.filter_state())
        self.model.set_query(self.build_query())

    def refresh(self) -> None:
        """F5: apply pending filters now, reload the table and the filter choices."""
        self.debounce.flush()
        self.model.set_query(self.build_query())
        self.load_choices()
        self.load_span()

    def _on_store_opened(self, _app: Any) -> None:
        self.load_choices()
        self.load_span()
        self.model.set_query(self.build_query())

    def _on_model_reset(self) -> None:
        self._shown_id = None
        self.clear_details()

    # -- counts and details
    def _on_total_changed(self, total: Optional[int]) -> None:
        what = self.model.what
        self.total_label.setText(f"counting {what}…" if total is None else f"{numbers.integer(total)} {what}")

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.selection_changed()

    def selection_changed(self) -> None:
        """Hook: enable or disable actions that depend on the selected rows."""

    def _on_current_row_changed(self, current: Any, _previous: Any) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        if row is not None:
            self._shown_id = row.id
            self.show_details(row)
