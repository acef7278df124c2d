"""The Aggregates tab: count, sum, avg, min and max by client, metric and time bucket, charted
over real dates and listed in a table with the same numbers as ``eventdesk aggregates``."""
from __future__ import annotations

import csv
from typing import Any, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from eventdesk.app import queries
from eventdesk.core.queries import AggregateQuery, AggregateRow
from eventdesk.gui import numbers
from eventdesk.gui.models.aggregate_model import (
    MEASURES,
    AggregateTableModel,
    bucket_seconds,
    category_series,
    time_series,
    undated_count,
)
from eventdesk.gui.preferences import Preferences
from eventdesk.gui.session import Session
from eventdesk.gui.spans import day_range_of, span_of_texts
from eventdesk.gui.tabs import aggregates_text as words
from eventdesk.gui.widgets.charts import EventChart
from eventdesk.gui.widgets.check_list import CheckList, combo_of
from eventdesk.gui.widgets.debounce import Debouncer
from eventdesk.gui.widgets.event_table import CopyingTable
from eventdesk.gui.widgets.fit_columns import ColumnFitter
from eventdesk.gui.widgets.time_range import TimeRangeEdit

BAR_SECONDS = {"day": 86400.0, "week": 7 * 86400.0, "month": 30 * 86400.0}
class AggregatesTab(QWidget):
    """Choose clients, metrics, a time range and a bucket; see a chart and a table."""

    name = "aggregates"

    def __init__(self, session: Session, prefs: Preferences, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session, self.prefs = session, prefs
        self.rows: list[AggregateRow] = []
        self.partial: list[str] = []
        self.last_query: Optional[AggregateQuery] = None
        self._stale = False
        self.clients, self.metrics = CheckList(), CheckList()
        self.time_range = TimeRangeEdit(dates_only=True, stacked=True)
        self.bucket = combo_of(("none", "day", "week", "month"), "month")
        self.measure = combo_of(MEASURES, "sum")
        self.series_by = combo_of(("client", "metric"), "client")
        self.kind = combo_of(("line", "bars"), "line")
        self.chart_metric = QComboBox(toolTip="different metrics are not summed together: chart one at a time")
        self.chart = EventChart()
        self.table_model = AggregateTableModel()
        self.table = CopyingTable()
        self.table.setModel(self.table_model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # numbers are never elided; text columns give way (full text in the tooltip)
        self.columns = ColumnFitter(self.table, text_columns=range(3), numeric_columns=range(3, 8))
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.summary = QLabel(" ")
        self.debounce = Debouncer(self)
        self.debounce.fired.connect(self.run_query)
        for signal in (self.clients.changed, self.metrics.changed, self.time_range.changed,
                       self.bucket.currentIndexChanged):
            signal.connect(self.debounce.poke)
        for combo in (self.measure, self.series_by, self.kind, self.chart_metric):
            combo.currentIndexChanged.connect(self._on_chart_options_changed)
        self.run_button = QPushButton("Run  (F5)")
        self.run_button.clicked.connect(self.refresh)
        self.csv_button, self.png_button = QPushButton("Export table as CSV…"), QPushButton("Export chart as PNG…")
        self.csv_button.clicked.connect(self._on_export_csv_clicked)
        self.png_button.clicked.connect(self._on_export_png_clicked)
        self._layout()
        self._restore(prefs.filters(self.name))
        session.store_opened.connect(self._on_store_opened)
        session.data_changed.connect(self._on_data_changed)

    def _layout(self) -> None:
        controls = QGroupBox("Query")
        form = QFormLayout(controls)
        form.addRow("Clients (none = all)", self.clients)
        form.addRow("Metrics (none = all)", self.metrics)
        form.addRow("Dates", self.time_range)
        form.addRow("Bucket", self.bucket)
        form.addRow(self.run_button)
        chart_box = QGroupBox("Chart")
        chart_form = QFormLayout(chart_box)
        chart_form.addRow("Value", self.measure)
        chart_form.addRow("Of metric", self.chart_metric)
        chart_form.addRow("One series per", self.series_by)
        chart_form.addRow("Draw as", self.kind)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(controls)
        left_layout.addWidget(chart_box)
        left_layout.addWidget(self.csv_button)
        left_layout.addWidget(self.png_button)
        left_layout.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(left)  # at 700 px high the controls scroll instead of squeezing the lists
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = scroll.style().pixelMetric(scroll.style().PixelMetric.PM_ScrollBarExtent)
        scroll.setFixedWidth(left.sizeHint().width() + bar + 4)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.chart)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.summary)
        table_layout.addWidget(self.table)
        right.addWidget(table_box)
        right.setSizes([520, 380])
        self.splitter = right
        layout = QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(right, 1)

    # -- query
    def build_query(self) -> AggregateQuery:
        start, end = self.time_range.bounds()
        return AggregateQuery(clients=self.clients.checked(), metrics=self.metrics.checked(),
                              time_from=start, time_to=end, bucket=self.bucket.currentText())

    def run_query(self) -> None:
        query = self.build_query()
        self._save()
        if query.time_from and query.time_to and query.time_from >= query.time_to:
            self.session.messages.warning("Aggregates: the From date must come before the To date")
            return
        self.last_query = query
        self.session.run(queries.aggregates, query, doing="Computing aggregates",
                         on_result=lambda rows: self._on_rows_arrived(query, rows))

    def refresh(self) -> None:
        """F5: new clients and metrics may have arrived; then run the query."""
        self.debounce.stop()
        self._stale = False
        self.session.run(queries.timestamp_ends, doing="Reading the span of the data", quiet=True,
                         on_result=lambda ends: self.time_range.set_span(*span_of_texts(ends)))
        self.session.run(queries.distinct_clients_and_metrics, doing="Loading clients and metrics",
                         on_result=self._on_choices_loaded)

    def focus_filter(self) -> None:
        self.clients.setFocus()

    def _on_rows_arrived(self, query: AggregateQuery, rows: list[AggregateRow]) -> None:
        if query != self.build_query():
            return  # the user changed the query meanwhile; the newer answer will come
        self.rows = rows
        self.partial = self._partial(query, rows)
        self.table_model.set_rows(rows, query.bucket, self.partial)
        self.columns.fit()
        self._fill_chart_metrics(rows)
        events = sum(r.count for r in rows)
        undated = undated_count(rows) if query.bucket != "none" else 0
        n = numbers.integer
        note = f" · {n(undated)} without a timestamp (in the table, not on the time axis)" if undated else ""
        if self.partial:
            note += f" · {len(self.partial)} partial bucket{'s' if len(self.partial) > 1 else ''} (marked)"
        self.summary.setText(f"{n(len(rows))} rows · {n(events)} normalized events{note}")
        self.draw_chart()

    def _partial(self, query: AggregateQuery, rows: list[AggregateRow]) -> list[str]:
        if query.bucket == "none":
            return []
        first, last = day_range_of(self.time_range.span)
        return words.partial_buckets(rows, query.bucket, query.time_from or first, query.time_to or last)

    def _fill_chart_metrics(self, rows: list[AggregateRow]) -> None:
        """One metric at a time by default: summing sales and visits means nothing."""
        metrics = sorted({r.metric for r in rows if r.metric is not None})
        keep = self.chart_metric.currentText() or self.prefs.filters(self.name).get("chart_metric")
        self.chart_metric.blockSignals(True)
        self.chart_metric.clear()
        self.chart_metric.addItems(metrics + ([words.ALL_METRICS] if len(metrics) > 1 else []))
        if keep and self.chart_metric.findText(keep) >= 0:
            self.chart_metric.setCurrentText(keep)
        self.chart_metric.blockSignals(False)

    def charted_rows(self) -> list[AggregateRow]:
        metric = self.chart_metric.currentText()
        if self.series_by.currentText() == "metric" or metric in ("", words.ALL_METRICS):
            return self.rows
        return [r for r in self.rows if r.metric == metric]

    def _on_chart_options_changed(self) -> None:
        self._save()
        self.draw_chart()

    def draw_chart(self) -> None:
        by, measure, bucket = self.series_by.currentText(), self.measure.currentText(), self.table_model.bucket
        self.chart_metric.setEnabled(by == "client")
        metric = self.chart_metric.currentText() if by == "client" else ""
        of = f" of {metric}" if metric and metric != words.ALL_METRICS else ""
        label = f"{measure}{of} per {bucket}" if bucket != "none" else f"{measure}{of}, all time"
        rows = self.charted_rows()
        if bucket == "none":
            categories, series = category_series(rows, by, measure)
            self.chart.set_category_series(categories, series, y_label=label)
        else:
            self.chart.date_format = "%Y-%m" if bucket == "month" else "%Y-%m-%d"
            partial = [bucket_seconds(b) for b in self.partial]
            self.chart.set_time_series(time_series(rows, by, measure), self.kind.currentText(),
                                       BAR_SECONDS[bucket], y_label=label, partial=partial)
        mix = words.mix_note(rows, by, measure)
        self.chart.readout.setText(f"Note: {mix}" if mix else " ")
        self.chart.title_lines = words.title_lines(self.last_query or self.build_query(), self.time_range.span,
                                             label, mix, bool(self.partial))

    # -- choices, store changes, remembering
    def _on_store_opened(self, _app: Any) -> None:
        self.refresh()

    def _on_choices_loaded(self, value: tuple[list[str], list[str]]) -> None:
        saved = self.prefs.filters(self.name)
        clients = self.clients.checked() or tuple(saved.get("clients") or ())
        metrics = self.metrics.checked() or tuple(saved.get("metrics") or ())
        self.clients.set_values(value[0], clients)
        self.metrics.set_values(value[1], metrics)
        self.run_query()

    def _on_data_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _save(self) -> None:
        self.prefs.save_filters(self.name, {
            "clients": list(self.clients.checked()), "metrics": list(self.metrics.checked()),
            "time": self.time_range.state(), "bucket": self.bucket.currentText(),
            "measure": self.measure.currentText(), "by": self.series_by.currentText(),
            "kind": self.kind.currentText(), "chart_metric": self.chart_metric.currentText()})

    def _restore(self, state: dict[str, Any]) -> None:
        widgets = (self.time_range, self.bucket, self.measure, self.series_by, self.kind)
        for widget in widgets:
            widget.blockSignals(True)
        self.time_range.restore(state.get("time") or {})
        for combo, key in ((self.bucket, "bucket"), (self.measure, "measure"), (self.series_by, "by"),
                           (self.kind, "kind")):
            if state.get(key) and combo.findText(state[key]) >= 0:
                combo.setCurrentText(state[key])
        for widget in widgets:
            widget.blockSignals(False)

    # -- exports
    def export_csv(self, path: str) -> int:
        with open(path, "w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(self.table_model.to_csv_rows())
        return len(self.table_model.rows)

    def export_png(self, path: str) -> None:
        self.chart.export_png(path)

    def _on_export_csv_clicked(self) -> None:
        name = words.suggested_name(self.last_query or self.build_query(), self.measure.currentText(), "csv")
        path, _ = QFileDialog.getSaveFileName(self, "Export aggregates as CSV", name, "CSV (*.csv)")
        if path:
            self._export(lambda: self.export_csv(path), f"Aggregates table saved to {path}")

    def _on_export_png_clicked(self) -> None:
        name = words.suggested_name(self.last_query or self.build_query(), self.measure.currentText(), "png")
        path, _ = QFileDialog.getSaveFileName(self, "Export chart as PNG", name, "PNG image (*.png)")
        if path:
            self._export(lambda: self.export_png(path), f"Chart saved to {path}")

    def _export(self, write: Any, done: str) -> None:
        try:  # local files of the user's choosing, written from memory: quick, no store involved
            write()
        except OSError as exc:
            self.session.messages.report(exc, "Export")
        else:
            self.session.messages.info(done)
