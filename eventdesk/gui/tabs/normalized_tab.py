"""The Normalized events tab: canonical events by client, metric and time, each shown beside
the raw event it came from."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QGroupBox, QLabel, QSplitter, QVBoxLayout, QWidget)

from eventdesk.core.model import NormalizedEvent, RawEvent
from eventdesk.core.queries import NormalizedQuery
from eventdesk.gui.exporting import normalized_row
from eventdesk.gui.models.normalized_model import NormalizedEventsModel
from eventdesk.gui.preferences import Preferences
from eventdesk.gui.pretty import pretty_json, pretty_received
from eventdesk.gui.session import Session
from eventdesk.gui.tabs.table_tab import TableTab, fill_choices
from eventdesk.gui.widgets.json_editor import JsonEditor
from eventdesk.gui.widgets.time_range import TimeRangeEdit


def normalized_details(app: Any, normalized_id: Any) -> tuple[Optional[NormalizedEvent], Optional[RawEvent]]:
    """Runs in the pool: a normalized event and the raw event it came from."""
    event = app.store.get_normalized(normalized_id)
    return event, (app.store.get_raw(event.raw_id) if event is not None else None)


def distinct_clients_and_metrics(app: Any) -> tuple[list[str], list[str]]:
    return app.store.distinct_values("client_id"), app.store.distinct_values("metric")


class NormalizedDetails(QWidget):
    """The normalized event (left) beside its raw event as received (right)."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.normalized_box, self.raw_box = QGroupBox("Normalized event"), QGroupBox("Raw event")
        self.normalized, self.raw = JsonEditor(read_only=True), JsonEditor(read_only=True)
        self.raw_status = QLabel(" ")
        for box, editor, extra in ((self.normalized_box, self.normalized, None),
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
        if raw is None:
            self.raw_box.setTitle("Raw event")
            self.raw.setPlainText("")
            self.raw_status.setText(" ")
            return
        self.raw_box.setTitle(f"Raw event #{raw.id} as received")
        self.raw_status.setText(f"{raw.source} · {raw.status} · received {raw.received_at}"
                                f" · {raw.receipts} receipt{'s' if raw.receipts != 1 else ''}")
        self.raw.setPlainText(pretty_received(raw.text))


class NormalizedTab(TableTab):
    """Normalized events with client, metric and time filters."""

    name = "normalized"

    def __init__(self, session: Session, prefs: Preferences, parent: Optional[QWidget] = None) -> None:
        super().__init__(session, prefs, NormalizedEventsModel(session), parent)
        self.table.set_column_widths({0: "0000000", 1: "client_A", 2: "refunds", 3: "00,000,000.00",
                                      4: "0000-00-00 00:00:00", 5: "0000000"})
        self.client, self.metric = QComboBox(minimumContentsLength=12), QComboBox(minimumContentsLength=12)
        self.time_range = TimeRangeEdit()
        for signal in (self.client.currentIndexChanged, self.metric.currentIndexChanged, self.time_range.changed):
            signal.connect(self.filters_changed)
        for label, widget in (("Client:", self.client), ("Metric:", self.metric)):
            self.filters_bar.addWidget(QLabel(label))
            self.filters_bar.addWidget(widget)
        self.filters_bar.addSpacing(12)
        self.filters_bar.addWidget(QLabel("Time:"))
        self.filters_bar.addWidget(self.time_range)
        self.details = NormalizedDetails()
        self.build(self.details, actions_row=False)

    def build_query(self) -> NormalizedQuery:
        start, end = self.time_range.bounds()
        return NormalizedQuery(client_id=self.client.currentData(), metric=self.metric.currentData(),
                               time_from=start, time_to=end)

    def filter_state(self) -> dict[str, Any]:
        return {"client": self.client.currentData(), "metric": self.metric.currentData(),
                "time": self.time_range.state()}

    def restore_filters(self, state: dict[str, Any]) -> None:
        fill_choices(self.client, [], state.get("client"))
        fill_choices(self.metric, [], state.get("metric"))
        self.time_range.blockSignals(True)
        self.time_range.restore(state.get("time") or {})
        self.time_range.blockSignals(False)
        self.model.query = self.build_query()

    def load_choices(self) -> None:
        self.session.run(distinct_clients_and_metrics, doing="Loading clients and metrics",
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
        self.session.run(normalized_details, normalized_id, doing="Loading the normalized event",
                         on_result=lambda value: self._on_details_loaded(normalized_id, value))

    def clear_details(self) -> None:
        self.details.show_event(None, None)

    def _on_details_loaded(self, normalized_id: Any, value: tuple) -> None:
        if self._shown_id == normalized_id:
            self.details.show_event(*value)
