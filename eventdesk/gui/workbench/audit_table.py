"""The audit of re-normalization runs (``renormalize_history``): who, when, which version, counts."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from eventdesk.gui.numbers import integer

COLUMNS = ("Run", "Version", "Scope", "Started (UTC)", "By", "State", "Finished (UTC)",
           "Examined", "Changed", "Now duplicate", "No longer duplicate")
COUNT_KEYS = ("examined", "changed", "now_semantic_duplicate", "no_longer_duplicate")


def scope_text(scope: Any) -> str:
    parts = [f"client {scope.client_id}" if scope.client_id else "all clients"]
    if scope.received_from or scope.received_to:
        parts.append(f"received {scope.received_from or '…'} .. {scope.received_to or '…'}")
    return ", ".join(parts)


class AuditTable(QTableWidget):
    """One row per run, newest first."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.runs: list[Any] = []

    def show_runs(self, runs: list[Any]) -> None:
        self.runs = list(reversed(runs))
        self.setRowCount(len(self.runs))
        for row, run in enumerate(self.runs):
            cells = [str(run.run_id), str(run.mapping_version), scope_text(run.scope), run.started_at,
                     run.started_by or "", run.state, run.finished_at or "",
                     *(integer(run.counts.get(key, 0)) for key in COUNT_KEYS)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(row, column, item)
