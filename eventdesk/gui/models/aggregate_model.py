"""The aggregates table (exact decimal strings, as ``eventdesk aggregates --json``), and the
series a chart draws from the same rows."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Optional, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from eventdesk.core.queries import AggregateRow
from eventdesk.gui import numbers
from eventdesk.gui.models.paged_model import EXACT_ROLE

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Client", "Metric", "Bucket (UTC)", "Count", "Sum", "Avg", "Min", "Max")
FIELDS = ("client_id", "metric", "bucket", "count", "sum", "avg", "min", "max")
MEASURES = ("sum", "count", "avg")


def bucket_seconds(bucket: Optional[str]) -> Optional[float]:
    """A bucket's UTC start as seconds since the epoch (for the chart's date axis)."""
    if not bucket:
        return None
    return datetime.fromisoformat(bucket.replace("Z", "+00:00")).timestamp()


def bucket_label(bucket: Optional[str], size: str) -> str:
    if not bucket:
        return "all time"
    if size == "month":
        return bucket[:7]
    return bucket[:10]


def _measure(rows: Sequence[AggregateRow], measure: str) -> float:
    count = sum(r.count for r in rows)
    total = sum((Decimal(r.sum or 0) for r in rows), Decimal(0))
    if measure == "count":
        return float(count)
    if measure == "avg":
        return float(total / count) if count else 0.0
    return float(total)


def group_rows(rows: Sequence[AggregateRow], by: str) -> dict[str, dict[Optional[str], list[AggregateRow]]]:
    """series name -> bucket -> rows, where the series is the client or the metric."""
    groups: dict[str, dict[Optional[str], list[AggregateRow]]] = {}
    for row in rows:
        name = (row.client_id if by == "client" else row.metric) or "(no metric)"
        groups.setdefault(name, {}).setdefault(row.bucket, []).append(row)
    return dict(sorted(groups.items()))


def time_series(rows: Sequence[AggregateRow], by: str, measure: str) -> dict[str, list[tuple[float, float]]]:
    """One series per client (or metric): (bucket start in UTC seconds, measure).

    Events without a timestamp (bucket None) have no place on a time axis; the table lists them.
    """
    series = {name: sorted((bucket_seconds(b), _measure(rs, measure)) for b, rs in buckets.items()
                           if b is not None)
              for name, buckets in group_rows(rows, by).items()}
    return {name: points for name, points in series.items() if points}


def undated_count(rows: Sequence[AggregateRow]) -> int:
    """Normalized events in the rows that have no timestamp (bucket None while bucketing)."""
    return sum(r.count for r in rows if r.bucket is None)


def category_series(rows: Sequence[AggregateRow], by: str, measure: str) -> tuple[list[str], dict[str, list[float]]]:
    """Without buckets: categories are the other dimension, one bar series per ``by`` value."""
    other = "metric" if by == "client" else "client"
    categories = sorted({(r.metric if other == "metric" else r.client_id) or "(no metric)" for r in rows})
    series: dict[str, list[float]] = {}
    for name, buckets in group_rows(rows, by).items():
        per_category: dict[str, list[AggregateRow]] = {}
        for row in (r for rs in buckets.values() for r in rs):
            key = (row.metric if other == "metric" else row.client_id) or "(no metric)"
            per_category.setdefault(key, []).append(row)
        series[name] = [_measure(per_category.get(c, []), measure) for c in categories]
    return categories, series


class AggregateTableModel(QAbstractTableModel):
    """The rows of one aggregates query."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AggregateRow] = []
        self.bucket = "none"
        self.places: dict[str, int] = {}
        self.partial: set[str] = set()   # buckets the time range covers only in part

    def set_rows(self, rows: list[AggregateRow], bucket: str, partial: Sequence[str] = ()) -> None:
        self.beginResetModel()
        self.rows, self.bucket, self.partial = list(rows), bucket, set(partial)
        # one number of decimals per column: amounts as entered (at least 2), averages 2
        self.places = {f: numbers.column_places(getattr(r, f) for r in self.rows) for f in ("sum", "min", "max")}
        self.places["avg"] = numbers.AVERAGE_PLACES
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, field = self.rows[index.row()], FIELDS[index.column()]
        value = getattr(row, field)
        if role == Qt.ItemDataRole.DisplayRole:
            if field == "bucket":
                label = bucket_label(value, self.bucket)
                return f"{label} (partial)" if value in self.partial else label
            if field == "count":
                return numbers.integer(value)
            if field in self.places:
                return numbers.decimal(value, self.places[field])
            return "—" if value is None else value
        if role in (Qt.ItemDataRole.ToolTipRole, EXACT_ROLE):
            if field == "bucket" and value in self.partial:
                return f"{value} (UTC): the time range covers this {self.bucket} only in part"
            return None if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def to_csv_rows(self) -> list[list[Any]]:
        return [list(FIELDS)] + [[getattr(r, f) if getattr(r, f) is not None else "" for f in FIELDS]
                                 for r in self.rows]
