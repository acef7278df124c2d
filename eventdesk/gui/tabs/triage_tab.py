"""The Triage tab: problem events grouped by reason code, client and field (``queries.triage``),
with a sparkline of each group's events over time, Show samples (in the Raw tab), Retry group for
failures, Export group… (its raw events as received) and Edit mapping… (for field problems)."""
from __future__ import annotations

import os
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from eventdesk.app import App, events, queries
from eventdesk.core.normalizer import client_id_of
from eventdesk.core.queries import Page, RawQuery
from eventdesk.core.triage import Timeline, TriageGroup, timeline
from eventdesk.gui import numbers
from eventdesk.gui.session import Session
from eventdesk.gui.tabs.table_tab import fill_choices
from eventdesk.gui.tabs.triage_members import export_group
from eventdesk.gui.widgets.sparkline import SERIES_ROLE, SparklineDelegate, series_summary
from eventdesk.gui.widgets.tables import read_only_table

COLUMNS = ("Code", "Client", "Field", "Count", "First seen (UTC)", "Last seen (UTC)", "Activity",
           "Sample raw ids")
COUNT_COLUMN = COLUMNS.index("Count")
ACTIVITY_COLUMN = COLUMNS.index("Activity")
MAPPED_FIELDS = ("metric", "amount", "timestamp")  # the fields a client's mapping reads
STATUS_CHOICES = (("all problems", None), ("failed", "failed"), ("rejected", "rejected"),
                  ("dead letter", "dead_letter"), ("with warnings", "normalized"))
RETRYABLE = ("failed", "dead_letter")
FAILURE_PREFIXES = ("store.", "simulated.")  # reason codes of failures: a retry may fix them
SCAN_PAGE = 2000


Loaded = tuple[list[TriageGroup], list[str], list[Timeline]]


def load_triage(app: App, status: Optional[str], client_id: Optional[str]) -> Loaded:
    """Runs in the pool: the groups, the clients the filter offers (sources, trimmed), and each
    group's sparkline series."""
    clients = sorted({client_id_of(s) for s in queries.distinct_sources(app) if s is not None})
    groups = queries.triage(app, status, client_id)
    return groups, clients, [timeline(g) for g in groups]


def group_members(app: App, group: TriageGroup, statuses: tuple[str, ...]) -> list[Any]:
    """Texts of the raw events in ``statuses`` whose reasons put them in ``group`` (store order)."""
    texts, after = [], None
    while True:
        rows = queries.raw_page(app, RawQuery(statuses=statuses), Page("id", False, after, SCAN_PAGE))
        for raw in rows:
            client = None if raw.source is None else client_id_of(raw.source)
            if client == group.client_id and any((r[0], r[1]) == (group.code, group.field) for r in raw.reasons):
                texts.append(raw.text)
        if len(rows) < SCAN_PAGE:
            return texts
        after = (rows[-1].id, rows[-1].id)


def retry_group(app: App, group: TriageGroup, statuses: tuple[str, ...]) -> dict[str, int]:
    """Runs in the pool: reprocess exactly the failed (or dead-letter) events of ``group``."""
    texts = group_members(app, group, statuses)
    return events.retry_texts(app, texts) if texts else {}


def sample_hash(app: App, raw_id: Any) -> Optional[str]:
    """Runs in the pool: the content hash of a sample (the Raw tab's search finds it exactly)."""
    raw = queries.raw_details(app, raw_id)[0]
    return None if raw is None else raw.content_hash


class TriageTab(QWidget):
    """A table of problem groups, filtered by status and client."""

    #: Show this raw event (its content hash) in the Raw tab.
    samples_requested = Signal(str)
    #: Open the mapping editor on this raw event (the selected group's newest sample raw id).
    edit_mapping_requested = Signal(int)  # raw ids are integers on both stores (Mongo: a counter)

    def __init__(self, session: Session, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session = session
        self.groups: list[TriageGroup] = []
        self._generation = 0
        self.status = QComboBox()
        for label, value in STATUS_CHOICES:
            self.status.addItem(label, value)
        self.client = QComboBox(minimumContentsLength=10)
        fill_choices(self.client, [], None)
        self.status.currentIndexChanged.connect(self.refresh)
        self.client.currentIndexChanged.connect(self.refresh)
        self.table = read_only_table(COLUMNS, rows=True)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setItemDelegateForColumn(ACTIVITY_COLUMN, SparklineDelegate(self.table))
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.samples_button = QPushButton("Show samples", enabled=False,
                                          toolTip="the group's newest sample in the Raw tab (found by its hash)")
        self.samples_button.clicked.connect(self.show_samples)
        self.retry_button = QPushButton("Retry group", enabled=False,
                                        toolTip="reprocess every failed or dead-letter event of the group")
        self.retry_button.clicked.connect(self.retry_selected)
        self.export_button = QPushButton("Export group…", enabled=False,
                                         toolTip="the group's raw events, exactly as received, to a file")
        self.export_button.clicked.connect(self.export_selected)
        self.mapping_button = QPushButton("Edit mapping…", enabled=False,
                                          toolTip="open the client's mapping on the group's newest sample")
        self.mapping_button.clicked.connect(self._on_edit_mapping_clicked)
        self.note = QLabel(" ")
        session.data_changed.connect(self._on_data_changed)
        session.store_opened.connect(lambda _app: self._on_data_changed())
        self._layout()

    def _layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Status:"))
        filters.addWidget(self.status)
        filters.addWidget(QLabel("Client:"))
        filters.addWidget(self.client)
        filters.addStretch(1)
        filters.addWidget(self.note)
        actions = QHBoxLayout()
        actions.addWidget(self.samples_button)
        actions.addWidget(self.retry_button)
        actions.addWidget(self.export_button)
        actions.addWidget(self.mapping_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)

    # -- loading
    def refresh(self, *_args: Any) -> None:
        self._generation += 1
        generation = self._generation
        self.session.run(load_triage, self.status.currentData(), self.client.currentData(),
                         doing="Grouping problem events", on_result=lambda value: self._on_loaded(generation, value))

    def focus_filter(self) -> None:
        self.status.setFocus()

    def _on_data_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh()

    def _on_loaded(self, generation: int, value: Loaded) -> None:
        if generation != self._generation:
            return  # a newer filter's answer follows
        groups, clients, series = value
        fill_choices(self.client, clients, self.client.currentData())
        self.groups = groups
        table = self.table
        table.setRowCount(len(groups))
        for row, (group, line) in enumerate(zip(groups, series)):
            cells = (group.code, group.client_id or "(none)", group.field or "—", numbers.integer(group.count),
                     numbers.utc_time(group.first_seen), numbers.utc_time(group.last_seen), "",
                     ", ".join(str(i) for i in group.sample_raw_ids))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == COUNT_COLUMN:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == ACTIVITY_COLUMN:
                    summary = series_summary(line.unit, line.start, line.counts)
                    item.setData(SERIES_ROLE, line.counts)
                    item.setToolTip(summary)
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, summary)
                table.setItem(row, column, item)
        total = sum(g.count for g in groups)
        self.note.setText(f"{numbers.integer(len(groups))} groups · {numbers.integer(total)} counted")
        self._on_selection_changed()

    # -- actions
    def selected_group(self) -> Optional[TriageGroup]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.groups[min(rows)] if rows and min(rows) < len(self.groups) else None

    def _retry_statuses(self) -> tuple[str, ...]:
        status = self.status.currentData()
        return (status,) if status in RETRYABLE else RETRYABLE

    def _on_selection_changed(self) -> None:
        group = self.selected_group()
        self.samples_button.setEnabled(group is not None and bool(group.sample_raw_ids))
        retryable = self.status.currentData() in (None, *RETRYABLE)
        self.retry_button.setEnabled(group is not None and retryable and group.code.startswith(FAILURE_PREFIXES))
        self.export_button.setEnabled(group is not None and group.count > 0)
        self.mapping_button.setEnabled(group is not None and bool(group.sample_raw_ids)
                                       and group.client_id is not None and group.field in MAPPED_FIELDS)

    def show_samples(self) -> None:
        group = self.selected_group()
        if group is None or not group.sample_raw_ids:
            return
        raw_id = group.sample_raw_ids[0]
        self.session.run(sample_hash, raw_id, doing="Finding the sample raw event",
                         on_result=lambda h: self.samples_requested.emit(h) if h else
                         self.session.messages.warning(f"Raw event {raw_id} is no longer stored"))

    def retry_selected(self) -> None:
        group = self.selected_group()
        if group is None:
            return
        self.session.run(retry_group, group, self._retry_statuses(), writes=True,
                         doing=f"Retrying the {group.code} group of {group.client_id or '(none)'}",
                         on_result=self._on_retried)

    def _on_retried(self, counts: dict[str, int]) -> None:
        summary = ", ".join(f"{numbers.integer(n)} {what}" for what, n in counts.items() if n) or "nothing to retry"
        self.session.messages.info(f"Retry finished: {summary}")

    def export_selected(self) -> None:
        group = self.selected_group()
        if group is None:
            return
        suggested = f"{group.code}-{group.client_id or 'none'}-{group.field or 'none'}.jsonl".replace("/", "_")
        path, _ = QFileDialog.getSaveFileName(self, "Export the group's raw events", suggested,
                                              "JSON lines (*.jsonl);;CSV (*.csv)")
        if not path:
            return
        name = os.path.basename(path)
        self.session.run(export_group, group, self.status.currentData(), path,
                         doing=f"Exporting the {group.code} group to {name}",
                         on_result=lambda n: self.session.messages.info(
                             f"Exported {numbers.integer(n or 0)} raw events of the {group.code} group to {path}"))

    def _on_edit_mapping_clicked(self) -> None:
        group = self.selected_group()
        if group is not None and group.sample_raw_ids:
            self.edit_mapping_requested.emit(group.sample_raw_ids[0])
