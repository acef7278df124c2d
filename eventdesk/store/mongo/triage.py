"""Triage as aggregations (design section 12): counts and first/last seen per group on the
server (counted per hour of receipt first, for the sparkline's series), then the few newest
samples of each group by one indexed query each."""
from __future__ import annotations

from typing import Any

from pymongo import DESCENDING

from eventdesk.core.triage import HOUR_KEY, SAMPLES, TriageGroup, TriageQuery, merge_groups
from eventdesk.store.mongo import schema


def triage(db: Any, query: TriageQuery) -> list[TriageGroup]:
    parts: list[TriageGroup] = []
    if query.raw_statuses:
        parts.extend(_raw_groups(db, query.raw_statuses))
    if query.warnings:
        parts.extend(_normalized_groups(db))
    return merge_groups(parts, query)


def _raw_groups(db: Any, statuses: tuple[str, ...]) -> list[TriageGroup]:
    match = {"status": {"$in": list(statuses)}, "reasons.0": {"$exists": True}}
    pipeline = [
        {"$match": match},
        {"$unwind": "$reasons"},
        *_by_hour({"code": "$reasons.code", "client": "$source", "field": "$reasons.field"}, "$received_at"),
    ]
    groups = []
    for doc in db[schema.RAW].aggregate(pipeline):
        key = doc["_id"]
        sample = {**match, "source": key.get("client"),
                  "reasons": {"$elemMatch": {"code": key["code"], "field": key.get("field")}}}
        ids = [d["_id"] for d in db[schema.RAW].find(sample, {"_id": 1}).sort("_id", DESCENDING).limit(SAMPLES)]
        groups.append(TriageGroup(key["code"], key.get("client"), key.get("field"), doc["count"],
                                  doc["first"], doc["last"], ids, _hourly(doc)))
    return groups


def _normalized_groups(db: Any) -> list[TriageGroup]:
    match = {"reasons.0": {"$exists": True}}
    pipeline = [
        {"$match": match},
        {"$lookup": {"from": schema.RAW, "localField": "raw_id", "foreignField": "_id", "as": "raw"}},
        {"$unwind": "$raw"},
        {"$unwind": "$reasons"},
        *_by_hour({"code": "$reasons.code", "client": "$client_id", "field": "$reasons.field"}, "$raw.received_at"),
    ]
    groups = []
    for doc in db[schema.NORMALIZED].aggregate(pipeline):
        key = doc["_id"]
        sample = {"client_id": key["client"],
                  "reasons": {"$elemMatch": {"code": key["code"], "field": key.get("field")}}}
        rows = db[schema.NORMALIZED].find(sample, {"raw_id": 1}).sort("_id", DESCENDING).limit(SAMPLES)
        groups.append(TriageGroup(key["code"], key["client"], key.get("field"), doc["count"],
                                  doc["first"], doc["last"], [r["raw_id"] for r in rows], _hourly(doc)))
    return groups


def _by_hour(key: dict[str, str], seen: str) -> list[dict[str, Any]]:
    """Stages counting per (key, hour of ``seen``), then summing per key with the hours kept."""
    hour = {"$substr": [seen, 0, HOUR_KEY]}  # $substrBytes: same, not in mongomock
    return [
        {"$group": {"_id": {**key, "hour": hour}, "n": {"$sum": 1}, "first": {"$min": seen}, "last": {"$max": seen}}},
        {"$group": {"_id": {name: f"$_id.{name}" for name in key}, "count": {"$sum": "$n"},
                    "first": {"$min": "$first"}, "last": {"$max": "$last"},
                    "hours": {"$push": {"hour": "$_id.hour", "n": "$n"}}}},
    ]


def _hourly(doc: dict[str, Any]) -> dict[str, int]:
    return {item["hour"]: item["n"] for item in doc["hours"]}
