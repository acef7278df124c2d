"""Keyset pages of normalized events sorted by the exact amount, for the MongoDB store.

``amount_units`` (exact 10**-4 units) is null for amounts finer than 10**-4 or beyond the units'
range, so it cannot be the sort key alone, and find() cannot sort by an expression (mongomock
has no ``$toDouble`` for an aggregation either). A page is therefore merged from three queries:
amounts with units, sorted by the server; amounts without units, read as (id, text) and ordered
as Decimal here; and missing amounts. The order is exact (no double rounding): nulls first
ascending, last descending, ties by id, as the fake. None of the three can use an index (there is
none on amounts); the middle one reads every unit-less amount that matches the filter, once a page.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Optional

from eventdesk.core.aggregation import INT64_MAX, UNIT_PLACES
from eventdesk.core.queries import Page
from eventdesk.store.mongo import schema

Filter = dict[str, Any]
_UNITS_MAX = INT64_MAX // 1_000_000  # the largest stored |amount_units| (core.aggregation.amount_units)
_NULL: Filter = {"amount": None}  # matches null and missing
_UNITS: Filter = {"amount_units": {"$ne": None}}
_NO_UNITS: Filter = {"amount_units": None, "amount": {"$ne": None}}


def amount_page(db: Any, where: Filter, page: Page, amount: Optional[Decimal], last_id: Any) -> list[dict]:
    """One page sorted by (amount, id); ``amount``/``last_id`` are the cursor (ignored without one)."""
    collection = db[schema.NORMALIZED]
    limit = max(0, int(page.limit))
    direction = -1 if page.descending else 1
    beyond = "$lt" if page.descending else "$gt"
    started = page.after is not None
    # a cursor on a null amount: only nulls beyond its id remain descending, every value ascending
    values_left = not (started and amount is None and page.descending)
    nulls_left = not started or amount is None or page.descending
    docs: list[dict] = []
    if nulls_left:
        null = _and(where, _NULL, {"_id": {beyond: last_id}} if started and amount is None else {})
        docs += collection.find(null).sort("_id", direction).limit(limit)
    if values_left and limit:
        after = _units_after(amount, last_id, page.descending) if started and amount is not None else {}
        docs += collection.find(_and(where, _UNITS, after)).sort(
            [("amount_units", direction), ("_id", direction)]).limit(limit)
        docs += _without_units(collection, where, page, amount if started else None, last_id, limit)
    docs.sort(key=_order, reverse=page.descending)
    return docs[:limit]


def _order(doc: dict) -> tuple:
    text = doc.get("amount")
    return ((0,) if text is None else (1, Decimal(text)), doc["_id"])


def _units_after(amount: Decimal, last_id: Any, descending: bool) -> Filter:
    """Rows with units beyond the cursor; a bound outside the stored range is clamped to it."""
    beyond = "$lt" if descending else "$gt"
    scaled = amount.scaleb(UNIT_PLACES)
    if scaled == scaled.to_integral_value():
        bound = _clamp(int(scaled))
        return {"$or": [{"amount_units": {beyond: bound}}, {"amount_units": bound, "_id": {beyond: last_id}}]}
    # no unit equals a fractional bound: u > 1.5 is u > 1, u < 1.5 is u < 2
    bound = _clamp(math.ceil(scaled) if descending else math.floor(scaled))
    return {"amount_units": {beyond: bound}}


def _clamp(units: int) -> int:
    return max(-_UNITS_MAX - 1, min(_UNITS_MAX + 1, units))  # stays an int64 and orders the same


def _without_units(collection: Any, where: Filter, page: Page, amount: Optional[Decimal], last_id: Any,
                   limit: int) -> list[dict]:
    """The first ``limit`` unit-less amounts beyond the cursor, ordered as Decimal."""
    keyed = [((Decimal(d["amount"]), d["_id"]), d["_id"])
             for d in collection.find(_and(where, _NO_UNITS), {"amount": 1})]
    if amount is not None:
        cursor = (amount, last_id)
        keyed = [k for k in keyed if (k[0] < cursor if page.descending else k[0] > cursor)]
    keyed.sort(reverse=page.descending)
    ids = [i for _, i in keyed[:limit]]
    return list(collection.find({"_id": {"$in": ids}})) if ids else []


def _and(*clauses: Filter) -> Filter:
    present = [c for c in clauses if c]
    if not present:
        return {}
    return present[0] if len(present) == 1 else {"$and": present}
