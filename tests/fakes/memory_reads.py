"""MemoryStore's reads: filters, keyset paging, stats and aggregates, computed from the dicts.

Written apart from the core's aggregation helpers on purpose (buckets from ``datetime``, sums
in Decimal), so that the contract suite checks the real stores against an independent answer.
Ordering as the real stores: nulls first ascending, last descending, ties by id.
"""
from __future__ import annotations

import operator
import re
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Sequence

from eventdesk.core.canonical import amount_text, timestamp_text
from eventdesk.core.model import ALL_STATUSES, NormalizedEvent, RawEvent, reasons_from_json
from eventdesk.core.queries import (
    NORMALIZED_SORT_COLUMNS,
    RAW_SORT_COLUMNS,
    AggregateQuery,
    AggregateRow,
    NormalizedQuery,
    Page,
    RawQuery,
    Stats,
)

if TYPE_CHECKING:
    from fakes.memory_data import MemoryData, Normalized, Raw

_HEX = re.compile(r"[0-9a-fA-F]{64}")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
AVG_PLACES = Decimal("0.000001")  # design: averages half-even to 6 places
PRECISION = 400  # sums never round: far more digits than any amount in range can need


def micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _utc_text(moment: datetime) -> str:
    return timestamp_text(moment.astimezone(timezone.utc))


def as_id(value: object) -> Optional[int]:
    """An id as the SQLite store reads one: an int, or all-digit text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


# -- rows as the port returns them

def raw_event(data: "MemoryData", raw: "Raw") -> RawEvent:
    return RawEvent(raw.id, raw.source, raw.text, raw.status, raw.content_hash, raw.error, raw.attempts,
                    raw.receipts, raw.received_at, raw.updated_at, raw.duplicate_of,
                    data.normalized_of_raw.get(raw.id), reasons_from_json(raw.reasons))


def normalized_event(row: "Normalized") -> NormalizedEvent:
    return NormalizedEvent(row.id, row.raw_id, row.client_id, row.metric,
                           None if row.amount is None else amount_text(row.amount),
                           None if row.moment is None else _utc_text(row.moment),
                           row.normalized_hash, list(row.warnings), list(row.reasons), row.mapping_version)


# -- filters

def _text_of(raw: "Raw") -> str:
    text = raw.text.decode("utf-8", "replace") if isinstance(raw.text, bytes) else raw.text
    return text.lower()


def _raw_matches(data: "MemoryData", raw: "Raw", query: RawQuery) -> bool:
    if query.statuses and raw.status not in query.statuses:
        return False
    if query.source is not None and raw.source != query.source:
        return False
    text = (query.text or "").strip()
    if text:
        if _HEX.fullmatch(text):
            if raw.content_hash != text.lower():
                return False
        elif text.lower() not in _text_of(raw) and text.lower() not in (raw.error or "").lower():
            return False
    if query.received_from is not None and raw.received_at < _utc_text(query.received_from):
        return False
    if query.received_to is not None and raw.received_at >= _utc_text(query.received_to):
        return False
    if query.has_warnings:
        normalized_id = data.normalized_of_raw.get(raw.id)
        if normalized_id is None or not data.normalized[normalized_id].warnings:
            return False
    return True


def raws_matching(data: "MemoryData", query: RawQuery) -> Iterator["Raw"]:
    return (raw for raw in data.raws.values() if _raw_matches(data, raw, query))


def _normalized_matches(row: "Normalized", query: NormalizedQuery) -> bool:
    if query.client_id is not None and row.client_id != query.client_id:
        return False
    if query.metric is not None and row.metric != query.metric:
        return False
    if query.time_from is not None and (row.moment is None or row.moment < query.time_from):
        return False
    if query.time_to is not None and (row.moment is None or row.moment >= query.time_to):
        return False
    return not query.has_warnings or bool(row.warnings)


def normalized_matching(data: "MemoryData", query: NormalizedQuery) -> Iterator["Normalized"]:
    return (row for row in data.normalized.values() if _normalized_matches(row, query))


# -- keyset paging

SortKey = tuple  # (0,) for null, (1, value) otherwise: nulls first ascending


def _key(value: Any) -> SortKey:
    return (0,) if value is None else (1, value)


def _page(rows: Iterable[Any], sort_value: Callable[[Any], Any], cursor: Optional[tuple[Any, Any]],
          page: Page) -> list[Any]:
    keyed = [((_key(sort_value(row)), row.id), row) for row in rows]
    if cursor is not None:
        mark = (_key(cursor[0]), cursor[1])
        keyed = [(k, row) for k, row in keyed if (k < mark if page.descending else k > mark)]
    keyed.sort(key=lambda item: item[0], reverse=page.descending)
    return [row for _, row in keyed[:max(0, int(page.limit))]]


def _cursor(page: Page, convert: Callable[[Any], Any]) -> Optional[tuple[Any, Any]]:
    if page.after is None:
        return None
    value, last = page.after
    return (None if value is None else convert(value), as_id(last))


_RAW_SORT: dict[str, Callable[["Raw"], Any]] = {c: operator.attrgetter(c) for c in RAW_SORT_COLUMNS}


def _same(value: Any) -> Any:
    return value


def _lower(value: Any) -> str:
    return str(value).lower()


def query_raw(data: "MemoryData", query: RawQuery, page: Page) -> list[RawEvent]:
    if page.sort not in _RAW_SORT:
        raise ValueError(f"cannot sort raw events by {page.sort!r}")
    convert: Callable[[Any], Any] = {"id": as_id, "content_hash": _lower}.get(page.sort, _same)
    rows = _page(raws_matching(data, query), _RAW_SORT[page.sort], _cursor(page, convert), page)
    return [raw_event(data, raw) for raw in rows]


_NORMALIZED_SORT: dict[str, Callable[["Normalized"], Any]] = {
    "id": lambda n: n.id, "client_id": lambda n: n.client_id, "metric": lambda n: n.metric,
    "amount": lambda n: n.amount, "timestamp": lambda n: None if n.moment is None else micros(n.moment),
    "raw_id": lambda n: n.raw_id, "warnings": lambda n: n.warnings[0] if n.warnings else None}
assert set(_NORMALIZED_SORT) == set(NORMALIZED_SORT_COLUMNS)


def _micros_of_text(value: Any) -> int:
    return micros(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def _decimal_of_text(value: Any) -> Decimal:
    return Decimal(str(value))  # the displayed text, compared exactly


def _normalized_cursor_value(sort: str) -> Callable[[Any], Any]:
    return {"amount": _decimal_of_text, "timestamp": _micros_of_text}.get(sort, _same)


def query_normalized(data: "MemoryData", query: NormalizedQuery, page: Page) -> list[NormalizedEvent]:
    if page.sort not in _NORMALIZED_SORT:
        raise ValueError(f"cannot sort normalized events by {page.sort!r}")
    rows = _page(normalized_matching(data, query), _NORMALIZED_SORT[page.sort],
                 _cursor(page, _normalized_cursor_value(page.sort)), page)
    return [normalized_event(row) for row in rows]


def raw_by_status(data: "MemoryData", statuses: Sequence[str], after_id: int, limit: int,
                  updated_before: Optional[str]) -> list[RawEvent]:
    rows = sorted((r for r in data.raws.values()
                   if r.status in statuses and r.id > after_id
                   and (updated_before is None or r.updated_at < updated_before)), key=lambda r: r.id)
    return [raw_event(data, r) for r in rows[:max(0, int(limit))]]


def distinct_values(data: "MemoryData", field: str) -> list[str]:
    if field == "source":
        values = {r.source for r in data.raws.values()}
    elif field in ("client_id", "metric"):
        values = {getattr(n, field) for n in data.normalized.values()}
    else:
        raise ValueError(f"no distinct values for {field!r}")
    return sorted(v for v in values if isinstance(v, str) and (v or field == "source"))


# -- numbers

def stats(data: "MemoryData") -> Stats:
    by_status = {status: 0 for status in ALL_STATUSES}
    for raw in data.raws.values():
        by_status[raw.status] += 1
    exact = sum(raw.receipts - 1 for raw in data.raws.values())
    return Stats(raw_total=len(data.raws), by_status=by_status, normalized=len(data.normalized),
                 exact_duplicates=exact, semantic_duplicates=by_status["duplicate"])


def per_client(data: "MemoryData") -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for raw in data.raws.values():
        counts = result.setdefault(raw.source or "", {})
        counts[raw.status] = counts.get(raw.status, 0) + 1
    return result


def received_per_bucket(data: "MemoryData", bucket: str) -> list[tuple[str, int]]:
    width = {"minute": 16, "hour": 13, "day": 10}.get(bucket)
    if width is None:
        raise ValueError("bucket must be minute, hour or day")
    counts: dict[str, int] = {}
    for raw in data.raws.values():
        counts[raw.received_at[:width]] = counts.get(raw.received_at[:width], 0) + 1
    return sorted(counts.items())


def bucket_start(moment: Optional[datetime], bucket: str) -> Optional[datetime]:
    """The UTC start of the bucket holding ``moment``: its day, its ISO week (Monday), its month."""
    if moment is None or bucket == "none":
        return None
    day = moment.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _aggregate_matches(row: "Normalized", query: AggregateQuery) -> bool:
    if query.clients and row.client_id not in query.clients:
        return False
    if query.metrics and row.metric not in query.metrics:
        return False
    if query.time_from is not None and (row.moment is None or row.moment < query.time_from):
        return False
    return query.time_to is None or (row.moment is not None and row.moment < query.time_to)


def aggregates(data: "MemoryData", query: AggregateQuery) -> list[AggregateRow]:
    groups: dict[tuple[str, Optional[str], Optional[datetime]], list[Any]] = {}
    with localcontext() as exact:
        exact.prec, exact.rounding = PRECISION, ROUND_HALF_EVEN
        for row in data.normalized.values():
            if not _aggregate_matches(row, query):
                continue
            group = groups.setdefault((row.client_id, row.metric, bucket_start(row.moment, query.bucket)),
                                      [0, []])
            group[0] += 1
            if row.amount is not None:
                group[1].append(row.amount)
        result = []
        for (client, metric, start), (count, amounts) in sorted(groups.items(), key=_group_order):
            total = sum(amounts, Decimal(0))
            avg = (total / len(amounts)).quantize(AVG_PLACES) if amounts else Decimal(0)
            result.append(AggregateRow(client, metric, None if start is None else _utc_text(start), count,
                                       amount_text(total), amount_text(avg),
                                       amount_text(min(amounts, default=Decimal(0))),
                                       amount_text(max(amounts, default=Decimal(0)))))
    return result


def _group_order(item: tuple) -> tuple:
    (client, metric, start), _ = item
    return (client, metric is None, metric or "", start is None, start or _EPOCH)

