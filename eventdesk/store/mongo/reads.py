"""Read queries of the MongoDB store: tables with filters and keyset paging.

Every value from a user is data: compared with equality, ``$in`` or an escaped regex, never
spliced into a query as an operator. Sort fields come from the whitelists in core.queries.
Ordering matches the SQLite store: nulls first ascending, last descending, ties by id.
Sorting by amount is exact (merged in amount_sort, as ``amount_units`` is null for some amounts).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Optional, Sequence

from eventdesk.core.aggregation import epoch_micros
from eventdesk.core.canonical import timestamp_text
from eventdesk.core.model import EventId, NormalizedEvent, RawEvent
from eventdesk.core.queries import NORMALIZED_SORT_COLUMNS, RAW_SORT_COLUMNS, NormalizedQuery, Page, RawQuery
from eventdesk.store.mongo import schema
from eventdesk.store.mongo.amount_sort import amount_page
from eventdesk.store.mongo.documents import as_id, normalized_from_doc, raw_from_doc

Filter = dict[str, Any]
_HEX = re.compile(r"[0-9a-fA-F]{64}")
_RAW_SORT = {**{c: c for c in RAW_SORT_COLUMNS}, "id": "_id"}
_NORMALIZED_SORT = {**{c: c for c in NORMALIZED_SORT_COLUMNS}, "id": "_id", "timestamp": "ts",
                    "warnings": "warnings.0"}  # amount: amount_sort
_SCALARS = (str, int, float, type(None))


def normalized_ids(db: Any, raw_ids: Sequence[EventId], session: Any = None) -> dict[EventId, EventId]:
    """raw id -> id of the normalized event that points back to it (the first, if several)."""
    owners: dict[EventId, EventId] = {}
    if not raw_ids:
        return owners
    cursor = db[schema.NORMALIZED].find({"raw_id": {"$in": list(raw_ids)}}, {"raw_id": 1},
                                        session=session).sort("_id", 1)
    for doc in cursor:
        owners.setdefault(doc["raw_id"], doc["_id"])
    return owners


def normalized_holders(db: Any, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
    """normalized_hash -> (normalized id, raw id); only strings reach the query, never operators."""
    wanted = [h for h in dict.fromkeys(h.lower() for h in hashes if isinstance(h, str)) if _HEX.fullmatch(h)]
    found: dict[str, tuple[EventId, EventId]] = {}
    for start in range(0, len(wanted), 1000):  # hashes per $in query
        cursor = db[schema.NORMALIZED].find({"normalized_hash": {"$in": wanted[start:start + 1000]}},
                                            {"normalized_hash": 1, "raw_id": 1}).sort("_id", 1)
        for doc in cursor:
            found.setdefault(doc["normalized_hash"], (doc["_id"], doc["raw_id"]))
    return found


def raws_with_owners(db: Any, docs: list[dict]) -> list[RawEvent]:
    owners = normalized_ids(db, [d["_id"] for d in docs])
    return [raw_from_doc(d, owners.get(d["_id"])) for d in docs]


def get_raw(db: Any, raw_id: EventId) -> Optional[RawEvent]:
    key = as_id(raw_id)
    doc = None if key is None else db[schema.RAW].find_one({"_id": key})
    return raws_with_owners(db, [doc])[0] if doc else None


def get_normalized(db: Any, field: str, value: EventId) -> Optional[NormalizedEvent]:
    key = as_id(value)
    doc = None if key is None else db[schema.NORMALIZED].find_one({field: key}, sort=[("_id", 1)])
    return normalized_from_doc(doc) if doc else None


# -- filters

def raw_filter(query: RawQuery, db: Any = None) -> Filter:
    clauses: list[Filter] = []
    if query.statuses:
        clauses.append({"status": {"$in": [str(s) for s in query.statuses]}})
    if query.source is not None:
        clauses.append({"source": {"$eq": str(query.source)}})
    if query.text:
        clauses.append(_text_filter(query.text.strip()))
    if query.received_from is not None:
        clauses.append({"received_at": {"$gte": _iso(query.received_from)}})
    if query.received_to is not None:
        clauses.append({"received_at": {"$lt": _iso(query.received_to)}})
    if query.has_warnings:  # raw events whose normalized event has a warning
        ids = db[schema.NORMALIZED].distinct("raw_id", {"warnings.0": {"$exists": True}}) if db is not None else []
        clauses.append({"_id": {"$in": ids}})
    return _all_of(clauses)


def _text_filter(text: str) -> Filter:
    if _HEX.fullmatch(text):
        return {"content_hash": {"$eq": text.lower()}}
    # case-insensitive like SQLite's LIKE; re.escape makes every character literal
    pattern = {"$regex": re.escape(text), "$options": "i"}
    return {"$or": [{"body": pattern}, {"error": pattern}]}


def normalized_filter(query: NormalizedQuery) -> Filter:
    clauses: list[Filter] = []
    if query.client_id is not None:
        clauses.append({"client_id": {"$eq": str(query.client_id)}})
    if query.metric is not None:
        clauses.append({"metric": {"$eq": str(query.metric)}})
    if query.time_from is not None:
        clauses.append({"ts": {"$gte": epoch_micros(query.time_from)}})
    if query.time_to is not None:
        clauses.append({"ts": {"$lt": epoch_micros(query.time_to)}})
    if query.has_warnings:
        clauses.append({"warnings.0": {"$exists": True}})
    return _all_of(clauses)


def _all_of(clauses: list[Filter]) -> Filter:
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _iso(moment: datetime) -> str:
    return timestamp_text(moment.astimezone(timezone.utc))


# -- keyset paging

def keyset(field: str, page: Page) -> tuple[Filter, list[tuple[str, int]]]:
    """The filter for rows after the page's cursor, and the sort, nulls first ascending."""
    direction = -1 if page.descending else 1
    order = [(field, direction)] if field == "_id" else [(field, direction), ("_id", direction)]
    if page.after is None:
        return {}, order
    value, last = page.after
    if not isinstance(value, _SCALARS) or isinstance(value, bool):
        raise ValueError("a page cursor holds a plain value and an id")
    last_id = as_id(last)
    if field == "_id":
        cursor_id = as_id(value) if value is not None else last_id
        return {"_id": {"$lt" if page.descending else "$gt": cursor_id}}, order
    return _after(field, value, last_id, page.descending), order


def _after(field: str, value: Any, last_id: Optional[int], descending: bool) -> Filter:
    beyond = "$lt" if descending else "$gt"
    # null or missing, spelled out: mongomock's $eq null misses an absent array element ("warnings.0")
    null: Filter = {"$or": [{field: {"$eq": None}}, {field: {"$exists": False}}]}
    if value is None:
        tie: Filter = {"$and": [null, {"_id": {beyond: last_id}}]}
        return tie if descending else {"$or": [tie, {"$nor": [null]}]}
    parts: list[Filter] = [{field: {beyond: value}}, {field: {"$eq": value}, "_id": {beyond: last_id}}]
    if descending:  # nulls come last, after every value
        parts.append(null)
    return {"$or": parts}


def _page(db: Any, collection: str, where: Filter, field: str, page: Page) -> list[dict]:
    more, order = keyset(field, page)
    query = _all_of([c for c in (where, more) if c])
    return list(db[collection].find(query).sort(order).limit(max(0, int(page.limit))))


def query_raw(db: Any, query: RawQuery, page: Page) -> list[RawEvent]:
    field = _RAW_SORT.get(page.sort)
    if field is None:
        raise ValueError(f"cannot sort raw events by {page.sort!r}")
    if page.after is not None and field == "content_hash" and isinstance(page.after[0], str):
        page = Page(page.sort, page.descending, (page.after[0].lower(), page.after[1]), page.limit)
    return raws_with_owners(db, _page(db, schema.RAW, raw_filter(query, db), field, page))


def query_normalized(db: Any, query: NormalizedQuery, page: Page) -> list[NormalizedEvent]:
    field = _NORMALIZED_SORT.get(page.sort)
    if field is None:
        raise ValueError(f"cannot sort normalized events by {page.sort!r}")
    if page.sort == "amount":
        cursor = page.after if page.after is not None else (None, None)
        if not isinstance(cursor[0], _SCALARS) or isinstance(cursor[0], bool):
            raise ValueError("a page cursor holds a plain value and an id")
        docs = amount_page(db, normalized_filter(query), page, _sort_key("amount", cursor[0]), as_id(cursor[1]))
        return [normalized_from_doc(d) for d in docs]
    if page.after is not None and page.sort == "timestamp":
        page = Page(page.sort, page.descending, (_sort_key(page.sort, page.after[0]), page.after[1]),
                    page.limit)
    return [normalized_from_doc(d)
            for d in _page(db, schema.NORMALIZED, normalized_filter(query), field, page)]


def _sort_key(sort: str, value: Any) -> Any:
    """The sort key of a displayed value (amount text -> exact Decimal, timestamp text -> µs)."""
    if value is None:
        return None
    try:
        if sort == "amount":
            amount = Decimal(str(value))
            if not amount.is_finite():
                raise ValueError("not a finite amount")
            return amount
        return epoch_micros(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a page cursor for {sort}: {value!r}") from exc


def raw_by_status(db: Any, statuses: Sequence[str], after_id: Optional[EventId], limit: int,
                  updated_before: Optional[str]) -> list[RawEvent]:
    where: Filter = {"status": {"$in": [str(s) for s in statuses]},
                     "_id": {"$gt": as_id(after_id) if after_id is not None else 0}}
    if updated_before is not None:
        where["updated_at"] = {"$lt": str(updated_before)}
    docs = list(db[schema.RAW].find(where).sort("_id", 1).limit(max(0, int(limit))))
    return raws_with_owners(db, docs)


def distinct_values(db: Any, field: str) -> list[str]:
    if field == "source":
        values = db[schema.RAW].distinct("source")
    elif field in ("client_id", "metric"):
        values = db[schema.NORMALIZED].distinct(field)
    else:
        raise ValueError(f"no distinct values for {field!r}")
    # like SQLite: a missing source or metric is left out; an empty metric means missing
    return sorted(v for v in values if isinstance(v, str) and (v or field == "source"))
