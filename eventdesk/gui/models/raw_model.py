"""The raw events table: one row per raw event, paged from ``queries.raw_page``."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from eventdesk.app import queries
from eventdesk.core.model import RawEvent
from eventdesk.core.queries import RawQuery
from eventdesk.gui.models.paged_model import WARNED_ROLE, Column, Index, PagedTableModel
from eventdesk.gui.numbers import utc_time
from eventdesk.gui.theme import LOUD_STATUSES

RAW_COLUMNS = (
    Column("id", "#", "id", numeric=True, tip="raw event id"),
    Column("received_at", "Received (UTC)", "id", tip="first receipt; sorts in arrival order"),
    Column("source", "Source", "source"),
    Column("status", "Status", "status"),
    Column("attempts", "Attempts", "attempts", numeric=True),
    Column("receipts", "Receipts", "receipts", numeric=True, tip="times this exact content arrived"),
    Column("error", "Error", "error", tip="why it failed or was rejected"),
    Column("content_hash", "Content hash", "content_hash", tip="SHA-256 of the canonical JSON"),
)
STATUS_COLUMN, ERROR_COLUMN, HASH_COLUMN = 3, 6, 7


def short_time(text: str) -> str:
    """``2024-01-05T10:00:00.123456Z`` as ``2024-01-05 10:00:00`` (the column title says UTC)."""
    return utc_time(text) if text else ""


def one_line(text: Any, limit: int = 200) -> str:
    if text is None:
        return ""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


class RawEventsModel(PagedTableModel):
    """Raw events matching a ``RawQuery``, newest first unless sorted otherwise."""

    columns = RAW_COLUMNS
    what = "raw events"

    def __init__(self, session: Any, page_size: int = 200) -> None:
        super().__init__(session, RawQuery(), sort="id", descending=True, page_size=page_size)

    query_page = staticmethod(queries.raw_rows)  # rows carry their warnings flag
    count = staticmethod(queries.count_raw)

    def display(self, row: RawEvent, column: Column) -> Any:
        if column.key == "received_at":
            return short_time(row.received_at)
        if column.key == "error":
            return one_line(row.error)
        if column.key == "content_hash":
            return row.content_hash[:12] + "…"
        if column.key == "source":
            return row.source if row.source is not None else "—"
        return super().display(row, column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (WARNED_ROLE, Qt.ItemDataRole.ToolTipRole) and index.isValid() and index.column() == STATUS_COLUMN:
            row = self.row_at(index.row())
            warned = bool(getattr(row, "warned", False))
            if role == WARNED_ROLE:
                return warned
            if warned:
                return "normalized, with warnings: see the Warnings line of the details"
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() == ERROR_COLUMN:
            row = self.row_at(index.row())
            if row is not None and row.status in LOUD_STATUSES:
                font = QFont()
                font.setBold(True)
                return font
        return super().data(index, role)
