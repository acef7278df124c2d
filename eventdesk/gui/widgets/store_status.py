"""The status bar's permanent part: which store is open, whether MongoDB transactions are on,
and the work in progress."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from eventdesk.app import App, queries


class StoreStatus(QWidget):
    """"SQLite: /path/events.db · transactions on · Loading raw events…"."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store = QLabel("no store open")
        self.store.setMaximumWidth(self.fontMetrics().averageCharWidth() * 56)
        self.transactions = QLabel("")
        self.work = QLabel("")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate
        self.busy.setMaximumWidth(self.fontMetrics().averageCharWidth() * 12)
        self.busy.setMaximumHeight(self.fontMetrics().height())
        self.busy.setTextVisible(False)
        self.busy.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.work)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        layout.addWidget(self.store)
        layout.addWidget(QLabel("·"))
        layout.addWidget(self.transactions)

    def show_store(self, app: App) -> None:
        kind, description = queries.store_kind(app), queries.store_description(app)
        self.store.setText(f"{kind}: {description}")
        self.store.setToolTip(description)  # a long path is cut at the label's width
        on = queries.store_transactions(app)
        self.transactions.setToolTip(queries.store_notice(app) or
                                     ("raw and normalized writes commit together" if on else
                                      "writes are made safe by a recovery pass instead of transactions"))
        if kind == "MongoDB":
            self.transactions.setText("transactions on" if on else "transactions off (standalone server)")
        else:
            self.transactions.setText("transactions on" if on else "transactions off")

    def show_opening(self, what: str) -> None:
        self.store.setText(f"opening {what}…")

    def show_work(self, jobs: int, label: str) -> None:
        self.busy.setVisible(jobs > 0)
        self.work.setText(f"{label}…" if jobs == 1 and label else
                          f"{label}… (+{jobs - 1} more)" if jobs > 1 and label else
                          f"{jobs} jobs running" if jobs else "")
