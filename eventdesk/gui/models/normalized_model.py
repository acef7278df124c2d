"""The normalized events table, paged from ``queries.normalized_page``."""
from __future__ import annotations

from typing import Any

from eventdesk.app import queries
from eventdesk.core.model import NormalizedEvent
from eventdesk.core.queries import NormalizedQuery
from eventdesk.gui import numbers
from eventdesk.gui.models.paged_model import Column, PagedTableModel
from eventdesk.gui.models.raw_model import short_time

NORMALIZED_COLUMNS = (
    Column("id", "#", "id", numeric=True, tip="normalized event id"),
    Column("client_id", "Client", "client_id"),
    Column("metric", "Metric", "metric"),
    Column("amount", "Amount", "amount", numeric=True, tip="exact decimal"),
    Column("timestamp", "Timestamp (UTC)", "timestamp"),
    Column("raw_id", "Raw id", "raw_id", numeric=True),
    Column("warnings", "Warnings", "warnings", tip="fields that could not be read (sorts by the first)"),
)


class NormalizedEventsModel(PagedTableModel):
    """Normalized events matching a ``NormalizedQuery``, newest first unless sorted otherwise."""

    columns = NORMALIZED_COLUMNS
    what = "normalized events"

    def __init__(self, session: Any, page_size: int = 200) -> None:
        super().__init__(session, NormalizedQuery(), sort="id", descending=True, page_size=page_size)

    query_page = staticmethod(queries.normalized_page)
    count = staticmethod(queries.count_normalized)

    def sort_value(self, row: NormalizedEvent) -> Any:
        if self.sort_key == "warnings":  # the stores sort by the first warning
            return row.warnings[0] if row.warnings else None
        return super().sort_value(row)

    def display(self, row: NormalizedEvent, column: Column) -> Any:
        if column.key == "timestamp":
            return short_time(row.timestamp) if row.timestamp else "—"
        if column.key in ("metric", "amount") and getattr(row, column.key) is None:
            return "—"
        if column.key == "amount":
            return numbers.decimal(row.amount)  # as entered, at least 2 decimals; exact in the tooltip
        if column.key == "warnings":
            if not row.warnings:
                return ""
            more = f" (+{len(row.warnings) - 1})" if len(row.warnings) > 1 else ""
            return f"⚠ {row.warnings[0]}{more}"
        return super().display(row, column)
