"""The Raw events tab: every input as received, filtered by status, source, text and time."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from eventdesk.app import App, events, queries
from eventdesk.core.model import RawEvent
from eventdesk.core.queries import RawQuery
from eventdesk.gui import numbers
from eventdesk.gui.models.raw_model import STATUS_COLUMN, RawEventsModel
from eventdesk.gui.preferences import Preferences
from eventdesk.gui.pretty import exact_rows_text
from eventdesk.gui.session import Session
from eventdesk.gui.tabs.raw_details import RawDetails
from eventdesk.gui.tabs.table_tab import TableTab, fill_choices
from eventdesk.gui.widgets.status_badge import StatusDelegate
from eventdesk.gui.widgets.status_filter import StatusFilter
from eventdesk.gui.widgets.time_range import TimeRangeEdit

RETRYABLE = ("failed", "dead_letter")


def retry_all_failed(app: App) -> dict[str, int]:
    """Runs in the pool: reprocess every failed event; the counts as ``eventdesk retry`` prints them."""
    return events.retry(app, ("failed",)).to_json()


class RawTab(TableTab):
    """Raw events with their status; Retry for failed and dead-letter ones; Copy as JSON."""

    name = "raw"
    span_of = staticmethod(queries.received_ends)
    #: The user asked to see a normalized event (its id) in the Normalized tab.
    normalized_requested = Signal(object)

    def __init__(self, session: Session, prefs: Preferences, parent: Optional[QWidget] = None) -> None:
        super().__init__(session, prefs, RawEventsModel(session), parent)
        self.table.setItemDelegateForColumn(STATUS_COLUMN, StatusDelegate(self.table))
        self.table.set_column_widths({0: "000000", 1: "0000-00-00 00:00:00", 2: "client_A", 3: "normalized ⚠",
                                      4: "00", 5: "00", 6: "amount 'abc' is not a number", 7: "0123456789…"})
        self.statuses = StatusFilter()
        self.with_warnings = QCheckBox("with warnings", toolTip="only events normalized with warnings")
        self.source = QComboBox(minimumContentsLength=10)
        self.search = QLineEdit(placeholderText="Search text, error or full hash (Ctrl+F)", clearButtonEnabled=True)
        self.search.setMinimumWidth(self.fontMetrics().averageCharWidth() * 18)
        self.time_range = TimeRangeEdit()
        for signal in (self.statuses.changed, self.source.currentIndexChanged, self.search.textChanged,
                       self.time_range.changed, self.with_warnings.toggled):
            signal.connect(self.filters_changed)
        self.search.returnPressed.connect(self.debounce.flush)
        self.filters_bar.addWidget(self.statuses)
        self.filters_bar.addWidget(self.with_warnings)
        self.filters_bar.addStretch(1)
        self.actions_bar.addWidget(QLabel("Source:"))
        self.actions_bar.addWidget(self.source)
        self.actions_bar.addWidget(self.search, 1)
        self.actions_bar.addWidget(QLabel("Received:"))
        self.actions_bar.addWidget(self.time_range)
        self.retry_button = QPushButton("Retry selected", enabled=False,
                                        toolTip="reprocess the selected failed or dead-letter events")
        self.retry_button.clicked.connect(self.retry_selected)
        self.retry_all_button = QPushButton("Retry all failed", toolTip="reprocess every failed event")
        self.retry_all_button.clicked.connect(self.retry_all)
        self.copy_button = QPushButton("Copy as JSON", enabled=False)
        self.copy_button.clicked.connect(self.copy_selected)
        self.details = RawDetails()
        self.details.normalized_link_clicked.connect(self.normalized_requested)
        buttons = QHBoxLayout()  # a row of its own, so that the filters fit at 1024 px
        for button in (self.retry_button, self.retry_all_button, self.copy_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.time_range.span_label)
        self.build(self.details, count_row=buttons)

    # -- filters
    def build_query(self) -> RawQuery:
        start, end = self.time_range.bounds()
        text = self.search.text().strip()
        return RawQuery(statuses=self.statuses.selected(), source=self.source.currentData(),
                        text=text or None, received_from=start, received_to=end,
                        has_warnings=self.with_warnings.isChecked())

    def filter_state(self) -> dict[str, Any]:
        return {"statuses": list(self.statuses.selected()), "source": self.source.currentData(),
                "text": self.search.text(), "time": self.time_range.state(),
                "warnings": self.with_warnings.isChecked()}

    def restore_filters(self, state: dict[str, Any]) -> None:
        for widget in (self.statuses, self.source, self.search, self.time_range, self.with_warnings):
            widget.blockSignals(True)
        self.with_warnings.setChecked(bool(state.get("warnings")))
        self.statuses.set_selected(state.get("statuses") or ())
        fill_choices(self.source, [], state.get("source"))
        self.search.setText(state.get("text") or "")
        self.time_range.restore(state.get("time") or {})
        for widget in (self.statuses, self.source, self.search, self.time_range, self.with_warnings):
            widget.blockSignals(False)
        self.model.query = self.build_query()

    def load_choices(self) -> None:
        self.session.run(queries.distinct_sources, doing="Loading sources",
                         on_result=lambda values: fill_choices(self.source, values, self.source.currentData()))

    def focus_filter(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- details and actions
    def show_details(self, row: RawEvent) -> None:
        self.details.show_event(row, None)  # at once from the row; the link target follows
        raw_id = row.id
        self.session.run(queries.raw_details, raw_id, doing="Loading the raw event",
                         on_result=lambda value: self._on_details_loaded(raw_id, value))

    def clear_details(self) -> None:
        self.details.clear()

    def _on_details_loaded(self, raw_id: Any, value: tuple) -> None:
        if self._shown_id == raw_id:
            self.details.show_event(*value)

    def selection_changed(self) -> None:
        rows = self.table.selected_rows()
        self.retry_button.setEnabled(any(r.status in RETRYABLE for r in rows))
        self.copy_button.setEnabled(bool(rows))

    def retry_selected(self) -> None:
        texts = [r.text for r in self.table.selected_rows() if r.status in RETRYABLE]
        if texts:
            self.session.run(events.retry_texts, texts, doing=f"Retrying {len(texts):,} events", writes=True,
                             on_result=self._on_retried)

    def retry_all(self) -> None:
        self.session.run(retry_all_failed, doing="Retrying all failed events", writes=True,
                         on_result=self._on_retried)

    def _on_retried(self, counts: dict[str, int]) -> None:
        summary = ", ".join(f"{numbers.integer(n)} {what}" for what, n in counts.items() if n) or "nothing to retry"
        self.session.messages.info(f"Retry finished: {summary}")

    def copy_selected(self) -> str:
        rows = self.table.selected_rows()
        text = exact_rows_text(rows)  # payloads exactly as received, never re-read as floats
        QGuiApplication.clipboard().setText(text)
        self.session.messages.info(f"Copied {len(rows):,} raw event{'s' if len(rows) != 1 else ''} as JSON")
        return text
