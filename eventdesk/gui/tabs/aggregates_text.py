"""What the Aggregates tab says about a query in words: partial buckets, sums that mix clients
or metrics, the title of an exported chart and a file name for it. No widgets here."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Optional, Sequence

from eventdesk.core.queries import AggregateQuery, AggregateRow
from eventdesk.gui.spans import day_range_of

ALL_METRICS = "(all, summed)"


def bucket_end(start: datetime, size: str) -> datetime:
    if size == "month":
        return datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=timezone.utc)
    return start + timedelta(days=7 if size == "week" else 1)


def partial_buckets(rows: list[AggregateRow], size: str, start: Optional[datetime],
                    end: Optional[datetime]) -> list[str]:
    """Buckets that the range [start, end) covers only in part (they would read as dips)."""
    found = []
    for bucket in sorted({r.bucket for r in rows if r.bucket}):
        begins = datetime.fromisoformat(bucket.replace("Z", "+00:00"))
        if (start is not None and begins < start) or (end is not None and bucket_end(begins, size) > end):
            found.append(bucket)
    return found


def suggested_name(query: AggregateQuery, measure: str, extension: str) -> str:
    """A file name that says what is in it: aggregates-client_A-sales-2024-01-01..2024-06-30-month.csv"""
    parts = ["aggregates", "-".join(query.clients) or "all-clients", "-".join(query.metrics) or "all-metrics"]
    if query.time_from or query.time_to:
        last = (query.time_to - timedelta(days=1)) if query.time_to else None
        parts.append(f"{query.time_from.date() if query.time_from else 'start'}.."
                     f"{last.date() if last else 'end'}")
    parts += [query.bucket, measure] if extension == "png" else [query.bucket]
    name = "-".join(parts)
    return "".join(c if c.isalnum() or c in "-_.+" else "_" for c in name)[:150] + f".{extension}"




def mix_note(rows: Sequence[AggregateRow], by: str, measure: str) -> str:
    """Sums and averages across clients (whose currencies may differ) or across metrics say so."""
    if measure == "count":
        return ""
    notes = []
    clients = {r.client_id for r in rows}
    if by == "metric" and len(clients) > 1:
        notes.append(f"each series adds up {len(clients)} clients, whose amounts may be in different currencies")
    metrics = {r.metric for r in rows}
    if by == "client" and len(metrics) > 1:
        notes.append(f"each series adds up {len(metrics)} different metrics")
    return "; ".join(notes)


def title_lines(query: AggregateQuery, span: Any, label: str, mix: str, partial: bool) -> list[str]:
    """The heading of an exported chart: what, for whom, over which dates (UTC)."""
    start, end = day_range_of(span)
    first, last = query.time_from or start, query.time_to or end
    dates = f"{first.date() if first else '…'} .. {(last - timedelta(days=1)).date() if last else '…'} (UTC)"
    lines = [f"eventdesk aggregates: {label}",
             f"clients: {', '.join(query.clients) or 'all'} · metrics: {', '.join(query.metrics) or 'all'} · {dates}"]
    if partial:
        lines.append("hollow points / pale bars: buckets the range covers only in part")
    if mix:
        lines.append(f"Note: {mix}")
    return lines
