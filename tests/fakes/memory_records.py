"""HttpRecords in memory: bearer tokens and Idempotency-Key records, beside a MemoryStore's data."""
from __future__ import annotations

import dataclasses
import threading

from eventdesk.core.ports import DONE, IN_FLIGHT, IdempotencyRecord, TokenRecord


class MemoryHttpRecords:
    """The HttpRecords port over dicts; one lock makes each call atomic, as a transaction would."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, TokenRecord] = {}
        self._keys: dict[tuple[str, str], IdempotencyRecord] = {}

    def add_token(self, record: TokenRecord) -> None:
        with self._lock:
            if record.name in self._tokens:
                raise ValueError(f"a token named {record.name!r} exists already")
            self._tokens[record.name] = record

    def tokens(self) -> list[TokenRecord]:
        with self._lock:
            return sorted(self._tokens.values(), key=lambda t: (t.created_at, t.name))

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        with self._lock:
            return next((t for t in self._tokens.values() if t.token_hash == token_hash), None)

    def revoke_token(self, name: str, at: str) -> bool:
        with self._lock:
            token = self._tokens.get(name)
            if token is None or token.revoked_at is not None:
                return False
            self._tokens[name] = dataclasses.replace(token, revoked_at=at)
            return True

    def claim_key(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        with self._lock:
            existing = self._keys.get((record.scope, record.key))
            if existing is not None:
                return existing
            self._keys[(record.scope, record.key)] = dataclasses.replace(
                record, state=IN_FLIGHT, status=None, body=None)
            return None

    def take_over_key(self, record: IdempotencyRecord, previous_owner: str) -> bool:
        with self._lock:
            existing = self._keys.get((record.scope, record.key))
            if existing is None or existing.state != IN_FLIGHT or existing.owner != previous_owner:
                return False
            self._keys[(record.scope, record.key)] = dataclasses.replace(
                existing, owner=record.owner, created_at=record.created_at, fingerprint=record.fingerprint)
            return True

    def complete_key(self, scope: str, key: str, status: int, body: bytes) -> None:
        with self._lock:
            existing = self._keys.get((scope, key))
            if existing is not None:
                self._keys[(scope, key)] = dataclasses.replace(existing, state=DONE, status=status, body=body)

    def release_key(self, scope: str, key: str, owner: str) -> None:
        with self._lock:
            existing = self._keys.get((scope, key))
            if existing is not None and existing.state == IN_FLIGHT and existing.owner == owner:
                del self._keys[(scope, key)]

    def purge_keys(self, older_than: float) -> int:
        with self._lock:
            old = [k for k, r in self._keys.items() if r.state == DONE and r.created_at < older_than]
            for k in old:
                del self._keys[k]
            return len(old)

    def close(self) -> None:
        pass  # the records live as long as the store's data
