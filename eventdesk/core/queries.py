"""What can be asked of a store: filters, pages, aggregates and statistics, as plain data.

Stores translate these into SQL or aggregation pipelines with bound parameters only; column
names for sorting are checked against the whitelists below, so no user text becomes a query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

RAW_SORT_COLUMNS = ("id", "received_at", "source", "status", "attempts", "receipts", "content_hash", "error")
NORMALIZED_SORT_COLUMNS = ("id", "client_id", "metric", "amount", "timestamp", "raw_id",
                           "warnings")  # warnings: by the first warning
BUCKETS = ("none", "day", "week", "month")


@dataclass(frozen=True)
class Page:
    """Keyset paging: rows after ``after`` (the last row's sort value and id) in sort order."""

    sort: str = "id"
    descending: bool = False
    after: Optional[tuple[Any, Any]] = None
    limit: int = 200


@dataclass(frozen=True)
class RawQuery:
    statuses: tuple[str, ...] = ()      # empty: any status
    source: Optional[str] = None        # exact source
    text: Optional[str] = None          # substring of the text as received, error or hash
    received_from: Optional[datetime] = None
    received_to: Optional[datetime] = None   # exclusive
    has_warnings: bool = False          # only events whose normalized event has warnings


@dataclass(frozen=True)
class NormalizedQuery:
    client_id: Optional[str] = None
    metric: Optional[str] = None
    time_from: Optional[datetime] = None
    time_to: Optional[datetime] = None  # exclusive
    has_warnings: bool = False          # only events with at least one warning


@dataclass(frozen=True)
class AggregateQuery:
    clients: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    time_from: Optional[datetime] = None
    time_to: Optional[datetime] = None  # exclusive
    bucket: str = "none"

    def __post_init__(self) -> None:
        if self.bucket not in BUCKETS:
            raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}")


@dataclass(frozen=True)
class AggregateRow:
    client_id: str
    metric: Optional[str]
    bucket: Optional[str]   # UTC start of the bucket as timestamp text, None for bucket=none
    count: int
    sum: str
    avg: str
    min: str
    max: str

    def to_json(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "metric": self.metric, "bucket": self.bucket,
                "count": self.count, "sum": self.sum, "avg": self.avg, "min": self.min,
                "max": self.max}


@dataclass(frozen=True)
class Stats:
    raw_total: int
    by_status: dict[str, int]
    normalized: int
    exact_duplicates: int
    semantic_duplicates: int
    by_client: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"raw": {"total": self.raw_total, "by_status": dict(self.by_status)},
                "normalized": self.normalized,
                "duplicates": {"exact": self.exact_duplicates, "semantic": self.semantic_duplicates}}
