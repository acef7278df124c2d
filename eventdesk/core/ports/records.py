"""The HTTP records port: bearer tokens (hashed) and Idempotency-Key records kept beside the events.

Both stores implement ``HttpRecords``; ``eventdesk.store.http_records_for`` picks the adapter.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

IN_FLIGHT, DONE = "in_flight", "done"


@dataclass(frozen=True)
class TokenRecord:
    name: str
    token_hash: str                 # SHA-256 hex of the bearer token; the token itself is never kept
    sources: tuple[str, ...]        # ("*",) for every source, the read and the retry endpoints
    rate: float | None           # requests per second, None for no limit
    created_at: str
    revoked_at: str | None = None

    @property
    def admin(self) -> bool:
        return "*" in self.sources


@dataclass(frozen=True)
class IdempotencyRecord:
    scope: str                      # the token's name ('' without auth): keys never cross tokens
    key: str
    fingerprint: str                # SHA-256 hex of the request body
    state: str                      # IN_FLIGHT or DONE
    owner: str                      # the server instance that holds an in-flight claim
    status: int | None = None
    body: bytes | None = None
    created_at: float = 0.0         # Unix seconds


class HttpRecords(Protocol):
    def add_token(self, record: TokenRecord) -> None:
        """Raises ValueError when a token of that name exists (revoked or not)."""
        ...
    def tokens(self) -> list[TokenRecord]: ...
    def token_by_hash(self, token_hash: str) -> TokenRecord | None: ...
    def revoke_token(self, name: str, at: str) -> bool: ...

    def claim_key(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Insert an in-flight claim; return None when it was new, else the existing record."""
        ...
    def take_over_key(self, record: IdempotencyRecord, previous_owner: str) -> bool:
        """Claim a key whose in-flight holder is gone, with this record's fingerprint; False when
        someone else got it first."""
        ...
    def complete_key(self, scope: str, key: str, status: int, body: bytes) -> None: ...
    def release_key(self, scope: str, key: str, owner: str) -> None: ...
    def purge_keys(self, older_than: float) -> int: ...
    def close(self) -> None: ...
