"""The collections of an eventdesk MongoDB database, their indexes, and the id counters.

    raw_events         {_id: int, source, body: str | Binary, status, content_hash: hex, error,
                        attempts, receipts, received_at, updated_at, duplicate_of,
                        reasons: [{code, field, key}] (absent in documents before version 2)}
    normalized_events  {_id: int, raw_id, client_id, metric, amount: canonical text,
                        amount_units: int64 | null, ts: int µs | null, timestamp: text | null,
                        normalized_hash: hex, warnings: [text], reasons: [{code, field, key}],
                        mapping_version: int | null (both absent before version 2)}
    mappings           {_id: version, text, saved_at}
    counters           {_id: collection name, last: last id handed out}

The unique indexes on the two hashes are what keep a fact from being counted twice.
"""
from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure

from eventdesk.core.errors import StoreCorrupt

RAW = "raw_events"
NORMALIZED = "normalized_events"
MAPPINGS = "mappings"
COUNTERS = "counters"
MARKS = "commit_marks"

_Keys = list[tuple[str, int]]
RAW_INDEXES: list[tuple[_Keys, str]] = [
    ([("status", ASCENDING), ("_id", ASCENDING)], "status_id"),
    ([("source", ASCENDING), ("_id", ASCENDING)], "source_id"),
    ([("received_at", ASCENDING)], "received_at"),
]
NORMALIZED_INDEXES: list[tuple[_Keys, str]] = [
    ([("raw_id", ASCENDING)], "raw_id"),
    ([("client_id", ASCENDING), ("metric", ASCENDING), ("ts", ASCENDING)], "client_metric_ts"),
    ([("ts", ASCENDING)], "ts"),
]


def ensure_indexes(db: Any, unique: bool) -> None:
    """Create the indexes (idempotent). ``unique=False`` only for negative-control tests."""
    try:
        db[RAW].create_index([("content_hash", ASCENDING)], name="content_hash", unique=unique)
        db[NORMALIZED].create_index([("normalized_hash", ASCENDING)], name="normalized_hash",
                                    unique=unique)
    except DuplicateKeyError as exc:
        raise StoreCorrupt("the MongoDB database holds the same hash twice; "
                           "it was not written by eventdesk with its unique indexes") from exc
    for keys, name in RAW_INDEXES:
        db[RAW].create_index(keys, name=name)
    for keys, name in NORMALIZED_INDEXES:
        db[NORMALIZED].create_index(keys, name=name)
    # marks of committed units of work are read only after a lost reply: a day is plenty
    db[MARKS].create_index([("at", ASCENDING)], name="marks_expire", expireAfterSeconds=86_400)
    from eventdesk.store.mongo.tokens import ensure_indexes as ensure_http_indexes
    ensure_http_indexes(db)  # HTTP API: tokens and Idempotency-Key records
    for name in (RAW, NORMALIZED):  # so that the first allocations never race on an upsert
        _ensure_counter(db, name)


def _ensure_counter(db: Any, name: str) -> None:
    try:
        db[COUNTERS].update_one({"_id": name}, {"$setOnInsert": {"last": 0}}, upsert=True)
    except DuplicateKeyError:
        pass  # another process created it first


def allocate_ids(db: Any, name: str, count: int) -> int:
    """Reserve ``count`` consecutive ids for ``name``; returns the first.

    Runs outside any transaction: a counter document updated inside concurrent transactions
    would be a write-conflict hotspot. Ids of rolled-back work are simply never used (gaps).
    """
    for _ in range(2):
        try:
            doc = db[COUNTERS].find_one_and_update(
                {"_id": name}, {"$inc": {"last": count}}, upsert=True,
                return_document=ReturnDocument.AFTER)
            return int(doc["last"]) - count + 1
        except DuplicateKeyError:
            continue  # two first upserts raced; the counter exists now
    raise OperationFailure(f"could not allocate ids for {name}")
