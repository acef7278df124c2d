"""The Statistics tab: counts by status, duplicates, failure and rejection rates, a per-client
breakdown and events received over time. Refreshes on its own while events are processed."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from eventdesk.app.queries import Snapshot, take_snapshot
from eventdesk.core.model import ALL_STATUSES
from eventdesk.gui import numbers
from eventdesk.gui.session import Session
from eventdesk.gui.theme import STATUS_COLOURS
from eventdesk.gui.widgets.charts import EventChart
from eventdesk.gui.widgets.stat_card import StatCard

AUTO_REFRESH_MS = 2000
BUCKET_SECONDS = {"minute": 60.0, "hour": 3600.0, "day": 86400.0}
BREAKDOWN = ("normalized", "duplicate", "failed", "rejected", "dead_letter", "pending", "processing")


def bucket_start(text: str) -> float:
    """'2024-01-05T10:07' / '2024-01-05T10' / '2024-01-05' as UTC seconds."""
    padded = {16: ":00", 13: ":00:00", 10: "T00:00:00"}.get(len(text), "")
    return datetime.fromisoformat(text + padded).replace(tzinfo=timezone.utc).timestamp()


def rate(part: int, whole: int) -> str:
    return numbers.percent(part, whole)


class StatsTab(QWidget):
    """Numbers about the whole store."""

    def __init__(self, session: Session, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session = session
        self.snapshot: Optional[Snapshot] = None
        self.updated_at = ""
        self._refreshing = False
        self.cards = {status: StatCard(status, STATUS_COLOURS[status][0]) for status in ALL_STATUSES}
        for key, caption in (("raw", "raw events"), ("normalized_total", "normalized events"),
                             ("warned", "normalized with warnings"),
                             ("exact", "exact duplicates"), ("semantic", "semantic duplicates"),
                             ("failure_rate", "failure rate"), ("rejection_rate", "rejection rate")):
            self.cards[key] = StatCard(caption)
        self.clients = QTableWidget(0, len(BREAKDOWN) + 3)
        self.clients.setHorizontalHeaderLabels(["Client", "Raw events", *BREAKDOWN, "Failure rate"])
        self.clients.verticalHeader().hide()
        self.clients.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.clients.setAlternatingRowColors(True)
        self.clients.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.clients.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.clients.horizontalHeader().setMinimumSectionSize(self.fontMetrics().averageCharWidth() * 6)
        self._fit_clients_height(1)
        self.chart = EventChart(date_format="%Y-%m-%d %H:%M")
        self.note = QLabel(" ")
        self.timer = QTimer(self, interval=AUTO_REFRESH_MS)
        self.timer.timeout.connect(self._on_timer_fired)
        session.writing_changed.connect(self._on_writing_changed)
        session.data_changed.connect(self._on_data_changed)
        session.store_opened.connect(lambda _app: self._on_data_changed())
        self._layout()

    def _layout(self) -> None:
        summary, statuses = QHBoxLayout(), QHBoxLayout()
        for key in ("raw", "normalized_total", "warned", "exact", "semantic", "failure_rate", "rejection_rate"):
            summary.addWidget(self.cards[key])
        for status in ALL_STATUSES:
            statuses.addWidget(self.cards[status])
        clients_box, chart_box = QGroupBox("Per client: raw events by status"), QGroupBox("Events received over time")
        self.chart_box = chart_box
        QVBoxLayout(clients_box).addWidget(self.clients)
        QVBoxLayout(chart_box).addWidget(self.chart)
        self.chart.setMinimumHeight(self.fontMetrics().height() * 9)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.note)
        layout.addLayout(summary)
        layout.addLayout(statuses)
        layout.addWidget(clients_box)
        layout.addWidget(chart_box, 1)

    # -- refreshing
    def refresh(self) -> None:
        if self._refreshing:
            return
        job = self.session.run(take_snapshot, doing="Computing statistics",
                               on_result=self._on_snapshot_taken, on_error=self._on_snapshot_failed)
        self._refreshing = job is not None

    def focus_filter(self) -> None:
        self.clients.setFocus()

    def _on_writing_changed(self) -> None:
        if self.session.writing:
            self.timer.start()
        else:
            self.timer.stop()
        self._update_note()

    def _update_note(self) -> None:
        when = f"Updated {self.updated_at} UTC" if self.updated_at else "Not loaded yet"
        live = " · refreshing every 2 s while events are being processed" if self.timer.isActive() else \
            " · refreshes on its own while events are being processed (F5: now)"
        self.note.setText(when + live)

    def _on_timer_fired(self) -> None:
        if self.isVisible():
            self.refresh()

    def _on_data_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh()

    def _on_snapshot_failed(self, _exc: BaseException) -> None:
        self._refreshing = False

    def _on_snapshot_taken(self, snapshot: Snapshot) -> None:
        self._refreshing = False
        self.snapshot = snapshot
        self.updated_at = datetime.now(timezone.utc).strftime("%H:%M:%S")
        self._update_note()
        stats = snapshot.stats
        total = stats.raw_total
        for status in ALL_STATUSES:
            count = stats.by_status.get(status, 0)
            self.cards[status].set_value(numbers.integer(count), rate(count, total) + " of raw events")
        failed = stats.by_status.get("failed", 0) + stats.by_status.get("dead_letter", 0)
        rejected = stats.by_status.get("rejected", 0)
        received = total + stats.exact_duplicates
        n = numbers.integer
        self.cards["raw"].set_value(n(total), f"{n(received)} received in all")
        self.cards["normalized_total"].set_value(n(stats.normalized), "facts counted once")
        self.cards["warned"].set_value(n(snapshot.with_warnings),
                                       rate(snapshot.with_warnings, stats.normalized) + " of normalized")
        self.cards["exact"].set_value(n(stats.exact_duplicates), "re-sends of the same content")
        self.cards["semantic"].set_value(n(stats.semantic_duplicates), "same fact, other form")
        self.cards["failure_rate"].set_value(rate(failed, total), f"{n(failed)} failed or dead letter")
        self.cards["rejection_rate"].set_value(rate(rejected, total), f"{n(rejected)} rejected")
        self._fill_clients(snapshot.per_client)
        points = [(bucket_start(b), float(n)) for b, n in snapshot.received]
        self.chart.date_format = {"day": "%Y-%m-%d"}.get(snapshot.bucket, "%Y-%m-%d %H:%M")
        width = BUCKET_SECONDS[snapshot.bucket]
        self.chart_box.setTitle(f"Events received per {snapshot.bucket} (UTC)")
        self.chart.set_time_series({f"received per {snapshot.bucket}": points}, "bars", width,
                                   y_label="events", legend=False, bucket_ticks=False)
        if points:  # a burst (one import) still shows as a moment in a span of time
            last = max(p[0] for p in points)
            first = min(min(p[0] for p in points), last - 29 * width)
            self.chart.plot.setXRange(first - width, last + 2 * width, padding=0)

    def _fill_clients(self, per_client: dict[str, dict[str, int]]) -> None:
        table = self.clients
        table.setRowCount(len(per_client))
        for row, (client, counts) in enumerate(sorted(per_client.items())):
            total = sum(counts.values())
            failed = counts.get("failed", 0) + counts.get("dead_letter", 0)
            values = [client or "(no source)", numbers.integer(total),
                      *(numbers.integer(counts.get(s, 0)) for s in BREAKDOWN), rate(failed, total)]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
        self._fit_clients_height(len(per_client))

    def _fit_clients_height(self, rows: int) -> None:
        """As tall as its rows (up to ten; more scroll), so the chart gets the rest."""
        table = self.clients
        shown = max(1, min(rows, 10))
        height = table.horizontalHeader().sizeHint().height() + shown * table.verticalHeader().defaultSectionSize()
        table.setFixedHeight(height + 2 * table.frameWidth() + 2)
