"""The Normalized events tab: canonical events by client, metric and time, each shown beside
the raw event it came from."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QGroupBox, QLabel, QSplitter, QVBoxLayout, QWidget

from eventdesk.app import queries
from eventdesk.core.export_rows import normalized_row
from eventdesk.core.model import NormalizedEvent, RawEvent
from eventdesk.core.queries import NormalizedQuery
from eventdesk.gui.models.normalized_model import NormalizedEventsModel
from eventdesk.gui.numbers import utc_time
from eventdesk.gui.preferences import Preferences
from eventdesk.gui.pretty import pretty_json, pretty_received
from eventdesk.gui.session import Session
from eventdesk.gui.tabs.table_tab import TableTab, fill_choices
from eventdesk.gui.theme import warning_text_colour
from eventdesk.gui.widgets.json_editor import JsonEditor
from eventdesk.gui.widgets.time_range import TimeRangeEdit


class NormalizedDetails(QWidget):
    """The normalized event (left) beside its raw event as received (right)."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.normalized_box, self.raw_box = QGroupBox("Normalized event"), QGroupBox("Raw event")
        self.normalized, self.raw = JsonEditor(read_only=True), JsonEditor(read_only=True)
        self.raw_status = QLabel(" ")
        self.warnings = QLabel("", wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        for box, editor, extra in ((self.normalized_box, self.normalized, self.warnings),
                                   (self.raw_box, self.raw, self.raw_status)):
            layout = QVBoxLayout(box)
            if extra is not None:
                layout.addWidget(extra)
            layout.addWidget(editor)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.normalized_box)
        split.addWidget(self.raw_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def show_event(self, event: Optional[NormalizedEvent], raw: Optional[RawEvent]) -> None:
        self.normalized_box.setTitle(f"Normalized event #{event.id}" if event else "Normalized event")
        self.normalized.setPlainText(pretty_json(normalized_row(event)) if event else "")
        warnings = list(event.warnings) if event else []
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings) if warnings else
                              ("no warnings: every field was read" if event else ""))
        self.warnings.setStyleSheet(f"color: {warning_text_colour().name()}; font-weight: bold;" if warnings else "")
        if raw is None:
            self.raw_box.setTitle("Raw event")
            self.raw.setPlainText("")
            self.raw_status.setText(" ")
            return
        self.raw_box.setTitle(f"Raw event #{raw.id} as received")
        self.raw_status.setText(f"{raw.source} · {raw.status} · received {utc_time(raw.received_at, label=True)}"
                                f" · {raw.receipts} receipt{'s' if raw.receipts != 1 else ''}")
        self.raw.setPlainText(pretty_received(raw.text))


class NormalizedTab(TableTab):
    """Normalized events with client, metric and time filters."""

    name = "normalized"
    span_of = staticmethod(queries.timestamp_ends)

    def __init__(self, session: Session, prefs: Preferences, parent: Optional[QWidget] = None) -> None:
        super().__init__(session, prefs, NormalizedEventsModel(session), parent)
        self.table.set_column_widths({0: "000000", 1: "client_A", 2: "refunds", 3: "00,000,000.00",
                                      4: "0000-00-00 00:00:00", 5: "000000",
                                      6: "⚠ amount 'abc' is not a number (+1)"})
        self.client, self.metric = QComboBox(minimumContentsLength=10), QComboBox(minimumContentsLength=10)
        self.with_warnings = QCheckBox("with warnings", toolTip="only events with at least one warning")
        self.time_range = TimeRangeEdit()
        for signal in (self.client.currentIndexChanged, self.metric.currentIndexChanged, self.time_range.changed,
                       self.with_warnings.toggled):
            signal.connect(self.filters_changed)
        for label, widget in (("Client:", self.client), ("Metric:", self.metric)):
            self.filters_bar.addWidget(QLabel(label))
            self.filters_bar.addWidget(widget)
        self.filters_bar.addWidget(self.with_warnings)
        self.filters_bar.addSpacing(12)
        self.filters_bar.addWidget(self.time_range.span_label)
        self.filters_bar.addStretch(1)
        self.actions_bar.addWidget(QLabel("Time:"))
        self.actions_bar.addWidget(self.time_range)
        self.details = NormalizedDetails()
        self.build(self.details)

    def build_query(self) -> NormalizedQuery:
        start, end = self.time_range.bounds()
        return NormalizedQuery(client_id=self.client.currentData(), metric=self.metric.currentData(),
                               time_from=start, time_to=end, has_warnings=self.with_warnings.isChecked())

    def filter_state(self) -> dict[str, Any]:
        return {"client": self.client.currentData(), "metric": self.metric.currentData(),
                "time": self.time_range.state(), "warnings": self.with_warnings.isChecked()}

    def restore_filters(self, state: dict[str, Any]) -> None:
        self.with_warnings.blockSignals(True)
        self.with_warnings.setChecked(bool(state.get("warnings")))
        self.with_warnings.blockSignals(False)
        fill_choices(self.client, [], state.get("client"))
        fill_choices(self.metric, [], state.get("metric"))
        self.time_range.blockSignals(True)
        self.time_range.restore(state.get("time") or {})
        self.time_range.blockSignals(False)
        self.model.query = self.build_query()

    def load_choices(self) -> None:
        self.session.run(queries.distinct_clients_and_metrics, doing="Loading clients and metrics",
                         on_result=self._on_choices_loaded)

    def _on_choices_loaded(self, value: tuple[list[str], list[str]]) -> None:
        clients, metrics = value
        fill_choices(self.client, clients, self.client.currentData())
        fill_choices(self.metric, metrics, self.metric.currentData())

    def focus_filter(self) -> None:
        self.client.setFocus()

    def show_details(self, row: NormalizedEvent) -> None:
        self.show_event(row.id)

    def show_event(self, normalized_id: Any) -> None:
        """Show one normalized event (also one not in the table, e.g. from the Raw tab's link)."""
        self._shown_id = normalized_id
        self.session.run(queries.normalized_details, normalized_id, doing="Loading the normalized event",
                         on_result=lambda value: self._on_details_loaded(normalized_id, value))

    def clear_details(self) -> None:
        self.details.show_event(None, None)

    def _on_details_loaded(self, normalized_id: Any, value: tuple) -> None:
        if self._shown_id == normalized_id:
            self.details.show_event(*value)
