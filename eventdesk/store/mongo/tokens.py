"""Tokens and Idempotency-Key records in the store's MongoDB database.

    http_tokens        {_id: name, token_hash (unique), sources: [..], rate, created_at, revoked_at}
    http_idempotency   {_id: scope NUL key, scope, key, fingerprint, state, owner, status, body,
                        created_at: Unix seconds, expires: datetime (TTL, 48 h after creation)}
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError, PyMongoError

from eventdesk.core.ports import DONE, IN_FLIGHT, IdempotencyRecord, TokenRecord
from eventdesk.store.mongo.errors import translate

T = TypeVar("T")
TOKENS = "http_tokens"
KEYS = "http_idempotency"
KEEP_KEYS = timedelta(hours=48)  # the design asks for at least 24 h


def ensure_indexes(db: Any) -> None:
    """Idempotent; called from ``schema.ensure_indexes``."""
    db[TOKENS].create_index([("token_hash", ASCENDING)], name="token_hash", unique=True)
    db[KEYS].create_index([("expires", ASCENDING)], name="keys_expire", expireAfterSeconds=0)


def _mapped(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: MongoHttpRecords, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except PyMongoError as exc:
            raise translate(exc, "the MongoDB store") from exc
    return wrapper


class MongoHttpRecords:
    def __init__(self, db: Any) -> None:
        self._db = db
        try:
            ensure_indexes(db)
        except PyMongoError as exc:
            raise translate(exc, "the MongoDB store") from exc

    @_mapped
    def add_token(self, record: TokenRecord) -> None:
        try:
            self._db[TOKENS].insert_one({"_id": record.name, "token_hash": record.token_hash,
                                         "sources": list(record.sources), "rate": record.rate,
                                         "created_at": record.created_at, "revoked_at": record.revoked_at})
        except DuplicateKeyError:
            raise ValueError(f"a token named {record.name!r} exists already") from None

    @_mapped
    def tokens(self) -> list[TokenRecord]:
        return [_token(doc) for doc in self._db[TOKENS].find().sort([("created_at", 1), ("_id", 1)])]

    @_mapped
    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        doc = self._db[TOKENS].find_one({"token_hash": token_hash})
        return _token(doc) if doc else None

    @_mapped
    def revoke_token(self, name: str, at: str) -> bool:
        result = self._db[TOKENS].update_one({"_id": name, "revoked_at": None}, {"$set": {"revoked_at": at}})
        return result.modified_count == 1

    @_mapped
    def claim_key(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        doc = {"_id": _id(record.scope, record.key), "scope": record.scope, "key": record.key,
               "fingerprint": record.fingerprint, "state": IN_FLIGHT, "owner": record.owner,
               "status": None, "body": None, "created_at": record.created_at,
               "expires": datetime.fromtimestamp(record.created_at, timezone.utc) + KEEP_KEYS}
        try:
            self._db[KEYS].insert_one(doc)
            return None
        except DuplicateKeyError:  # the unique _id decides who claimed first
            existing = self._db[KEYS].find_one({"_id": doc["_id"]})
            return _key(existing) if existing else self.claim_key(record)

    @_mapped
    def take_over_key(self, record: IdempotencyRecord, previous_owner: str) -> bool:
        result = self._db[KEYS].update_one(
            {"_id": _id(record.scope, record.key), "state": IN_FLIGHT, "owner": previous_owner},
            {"$set": {"owner": record.owner, "created_at": record.created_at,
                      "fingerprint": record.fingerprint}})
        return result.modified_count == 1

    @_mapped
    def complete_key(self, scope: str, key: str, status: int, body: bytes) -> None:
        self._db[KEYS].update_one({"_id": _id(scope, key)},
                                  {"$set": {"state": DONE, "status": status, "body": bytes(body)}})

    @_mapped
    def release_key(self, scope: str, key: str, owner: str) -> None:
        self._db[KEYS].delete_one({"_id": _id(scope, key), "state": IN_FLIGHT, "owner": owner})

    @_mapped
    def purge_keys(self, older_than: float) -> int:
        return self._db[KEYS].delete_many({"created_at": {"$lt": older_than}, "state": DONE}).deleted_count

    def close(self) -> None:
        pass  # the store owns the client


def _id(scope: str, key: str) -> str:
    return f"{scope}\x00{key}"


def _token(doc: dict[str, Any]) -> TokenRecord:
    return TokenRecord(doc["_id"], doc["token_hash"], tuple(doc.get("sources") or ()), doc.get("rate"),
                       doc["created_at"], doc.get("revoked_at"))


def _key(doc: dict[str, Any]) -> IdempotencyRecord:
    body = doc.get("body")
    return IdempotencyRecord(doc["scope"], doc["key"], doc["fingerprint"], doc["state"], doc["owner"],
                             doc.get("status"), bytes(body) if body is not None else None,
                             float(doc.get("created_at") or 0))
