"""Numbers computed by the MongoDB server: statistics and charted aggregates.

Aggregates are one pipeline over the normalized events: ``$match`` on the filters, ``$group``
by client, metric and UTC day with exact integer sums of ``amount_units``. The per-day partials
are rolled up to buckets by ``eventdesk.core.aggregation``. Amounts without exact units
("exotic": finer than 10**-4 or very large) are fetched for those groups only and summed as
Decimal; nothing else is loaded into Python.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventdesk.core.aggregation import (
    DAY_US,
    GroupKey,
    Partial,
    epoch_micros,
    from_units,
    merge_rows,
    rows_from_partials,
)
from eventdesk.core.model import ALL_STATUSES
from eventdesk.core.queries import AggregateQuery, AggregateRow, Stats
from eventdesk.store.mongo import schema

Filter = dict[str, Any]
_POSITIVE_MOD = {"$mod": [{"$add": [{"$mod": ["$ts", DAY_US]}, DAY_US]}, DAY_US]}
# floor(ts / day) in exact integer steps: (ts - positive remainder) / day; null stays null
DAY_OF_TS = {"$divide": [{"$subtract": ["$ts", _POSITIVE_MOD]}, DAY_US]}
_HAS_UNITS = {"$gt": ["$amount_units", None]}  # numbers sort above null and missing
_EXOTIC = {"$and": [{"$gt": ["$amount", None]}, {"$lte": ["$amount_units", None]}]}
_BUCKET_WIDTH = {"minute": 16, "hour": 13, "day": 10}


def stats(db: Any) -> Stats:
    by_status = {status: 0 for status in ALL_STATUSES}
    for row in db[schema.RAW].aggregate([{"$group": {"_id": "$status", "n": {"$sum": 1}}}]):
        by_status[row["_id"]] = int(row["n"])
    exact = _single(db[schema.RAW].aggregate([
        {"$match": {"receipts": {"$gt": 1}}},
        {"$group": {"_id": None, "n": {"$sum": {"$subtract": ["$receipts", 1]}}}}]))
    return Stats(raw_total=sum(by_status.values()), by_status=by_status,
                 normalized=db[schema.NORMALIZED].count_documents({}), exact_duplicates=exact,
                 semantic_duplicates=by_status["duplicate"])


def _single(rows: Any) -> int:
    for row in rows:
        return int(row["n"])
    return 0


def per_client(db: Any) -> dict[str, dict[str, int]]:
    """Raw events per source and status (rejected events without a source under '')."""
    result: dict[str, dict[str, int]] = {}
    pipeline = [{"$group": {"_id": {"source": "$source", "status": "$status"}, "n": {"$sum": 1}}}]
    for row in db[schema.RAW].aggregate(pipeline):
        source = row["_id"].get("source") or ""
        counts = result.setdefault(source, {})
        counts[row["_id"]["status"]] = counts.get(row["_id"]["status"], 0) + int(row["n"])
    return result


def received_per_bucket(db: Any, bucket: str) -> list[tuple[str, int]]:
    width = _BUCKET_WIDTH.get(bucket)
    if width is None:
        raise ValueError("bucket must be minute, hour or day")
    # received_at is ASCII timestamp text, so a byte prefix ($substr) is a character prefix
    rows = db[schema.RAW].aggregate([
        {"$group": {"_id": {"$substr": ["$received_at", 0, width]}, "n": {"$sum": 1}}},
        {"$sort": {"_id": 1}}])
    return [(row["_id"], int(row["n"])) for row in rows]


# -- aggregates

def aggregates(db: Any, query: AggregateQuery) -> list[AggregateRow]:
    match = _match(query)
    partials: dict[GroupKey, Partial] = {}
    recount: set[GroupKey] = set()
    exotic = False
    for row in db[schema.NORMALIZED].aggregate([{"$match": match}, {"$group": _GROUP}]):
        key = _key(row["_id"])
        part = partials.setdefault(key, Partial())
        if isinstance(row["sum"], int):
            part.add(int(row["n"]), int(row["units"]), from_units(row["sum"]) or Decimal(0),
                     from_units(row["low"]), from_units(row["high"]))
        else:  # an int64 sum that overflowed to a double: sum this group exactly instead
            part.add(int(row["n"]), 0, Decimal(0), None, None)
            recount.add(key)
        exotic = exotic or bool(row["exotic"])
    if exotic or recount:
        merge_rows(partials, _exact_rows(db, match, recount))
    return rows_from_partials(partials, query.bucket)


_GROUP = {"_id": {"client": "$client_id", "metric": "$metric", "day": DAY_OF_TS},
          "n": {"$sum": 1}, "units": {"$sum": {"$cond": [_HAS_UNITS, 1, 0]}},
          "exotic": {"$sum": {"$cond": [_EXOTIC, 1, 0]}}, "sum": {"$sum": "$amount_units"},
          "low": {"$min": "$amount_units"}, "high": {"$max": "$amount_units"}}


def _key(group: dict[str, Any]) -> GroupKey:
    day = group.get("day")
    return group["client"], group.get("metric"), None if day is None else int(day)


def _match(query: AggregateQuery) -> Filter:
    match: Filter = {}
    if query.clients:
        match["client_id"] = {"$in": [str(c) for c in query.clients]}
    if query.metrics:
        match["metric"] = {"$in": [str(m) for m in query.metrics]}
    span: Filter = {}
    if query.time_from is not None:
        span["$gte"] = epoch_micros(query.time_from)
    if query.time_to is not None:
        span["$lt"] = epoch_micros(query.time_to)
    if span:  # a range leaves out events without a timestamp, as in the SQLite store
        match["ts"] = span
    return match


def _exact_rows(db: Any, match: Filter, recount: set[GroupKey]) -> list[tuple]:
    """Exotic amounts, and every amount of the ``recount`` groups, as Decimal rows for merge_rows."""
    wanted: Filter = {"amount": {"$ne": None}}
    if recount:  # only the days that overflowed are read again, beside the exotic amounts
        wanted["$or"] = [{"amount_units": None}] + [_group_filter(key) for key in sorted(
            recount, key=lambda k: (k[0], k[1] or "", k[2] is None, k[2] or 0))]
    else:
        wanted["amount_units"] = None
    groups: dict[GroupKey, Partial] = {}
    fields = {"client_id": 1, "metric": 1, "ts": 1, "amount": 1, "amount_units": 1}
    for doc in db[schema.NORMALIZED].find({"$and": [match, wanted]} if match else wanted, fields):
        ts = doc.get("ts")
        key = (doc["client_id"], doc.get("metric"), None if ts is None else ts // DAY_US)
        if doc.get("amount_units") is not None and key not in recount:
            continue  # the server has summed it already
        value = Decimal(doc["amount"])
        groups.setdefault(key, Partial()).add(0, 1, value, value, value)
    return [(c, m, d, p.count, p.amounts, p.total, p.low, p.high) for (c, m, d), p in groups.items()]


def _group_filter(key: GroupKey) -> Filter:
    client, metric, day = key
    span = None if day is None else {"$gte": day * DAY_US, "$lt": (day + 1) * DAY_US}
    return {"client_id": client, "metric": metric, "ts": span}
