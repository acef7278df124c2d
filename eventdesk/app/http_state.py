"""What the HTTP API needs beside ``App``: tokens, rate limits, Idempotency-Key claims, and the
JSON shapes and query parsing of its read endpoints. Imported by ``eventdesk.http`` and the CLI.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import secrets
import stat
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from eventdesk.core.errors import StoreError
from eventdesk.core.export_rows import normalized_row, raw_row
from eventdesk.core.filters import client_filter, metric_filter, time_bound
from eventdesk.core.group_commit import ApplyBatch, CommitQueue
from eventdesk.core.model import ALL_STATUSES, Outcome, Prepared, SubmitResult
from eventdesk.core.ports import (
    DONE,
    IN_FLIGHT,
    HttpRecords,
    IdempotencyRecord,
    TokenRecord,
)
from eventdesk.core.processor import utc_now_text
from eventdesk.core.queries import BUCKETS, AggregateQuery, NormalizedQuery, Page, RawQuery
from eventdesk.store import http_records_for

# the query types and errors the HTTP layer uses, so that it needs nothing below this layer
__all__ = ["ALL_STATUSES", "BUCKETS", "AggregateQuery", "NormalizedQuery", "Page", "RawQuery", "StoreError",
           "TokenRecord", "HttpState", "QueryError", "Tokens", "IdempotencyKeys", "RateLimiter", "result_json"]

TOKEN_PREFIX = "edk_"
ADMIN_NAME = "admin"
KEEP_KEYS_S = 48 * 3600  # Idempotency-Key records are kept at least 24 h (design 10)
TOKEN_CACHE_S = 0.5      # a revocation reaches a running server within this
MAPPINGS_LOOK_S = 1.0    # a mappings version made current elsewhere is taken up within this


class QueryError(ValueError):
    """A query parameter that cannot be read (HTTP 400)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_sources(text: str) -> tuple[str, ...]:
    sources = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    if not sources:
        raise ValueError("--sources needs at least one source, or *")
    return ("*",) if "*" in sources else sources


class Tokens:
    """Bearer tokens: created once, kept as SHA-256 hashes, looked up with a short cache."""

    def __init__(self, records: HttpRecords) -> None:
        self.records = records
        self._cache: dict[str, tuple[float, TokenRecord | None]] = {}
        self._lock = threading.Lock()

    def add(self, name: str, sources: tuple[str, ...] = ("*",), rate: float | None = None) -> str:
        """Create a token and return it; this is the only time it is ever seen."""
        if not name.strip():
            raise ValueError("a token needs a name")
        if rate is not None and not rate > 0:
            raise ValueError("--rate must be more than 0 requests per second")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.records.add_token(TokenRecord(name.strip(), hash_token(token), sources, rate, utc_now_text()))
        return token

    def list(self) -> list[TokenRecord]:
        return self.records.tokens()

    def revoke(self, name: str) -> bool:
        return self.records.revoke_token(name, utc_now_text())

    def recently_seen(self, token: str) -> tuple[bool, TokenRecord | None]:
        """(True, the live record or None) when looked up within TOKEN_CACHE_S; no store access."""
        with self._lock:
            cached = self._cache.get(hash_token(token))
        if cached is None or time.monotonic() - cached[0] > TOKEN_CACHE_S:
            return False, None
        record = cached[1]
        return True, record if record is not None and record.revoked_at is None else None

    def authenticate(self, token: str) -> TokenRecord | None:
        """The live token record, or None for an unknown or revoked token."""
        digest = hash_token(token)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(digest)
        if cached is None or now - cached[0] > TOKEN_CACHE_S:
            record = self.records.token_by_hash(digest)
            cached = (now, record)
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[digest] = cached
        record = cached[1]
        return record if record is not None and record.revoked_at is None else None

    def ensure_admin(self, folder: Path) -> Path | None:
        """On a store without tokens: create an admin token and write it to a file only the user
        can read; return that file's path (None when tokens exist)."""
        if self.records.tokens():
            return None
        token = self.add(ADMIN_NAME, ("*",))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "admin-token"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(token + "\n")
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)  # also when the file existed before
        return path


class RateLimiter:
    """A token bucket per token name: ``rate`` requests per second, bursts up to ``rate`` (min 1)."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, name: str, rate: float | None) -> float:
        """0 when allowed now, else the seconds to wait."""
        if rate is None:
            return 0.0
        capacity = max(rate, 1.0)
        now = time.monotonic()
        with self._lock:
            level, then = self._buckets.get(name, (capacity, now))
            level = min(capacity, level + (now - then) * rate)
            if level >= 1.0:
                self._buckets[name] = (level - 1.0, now)
                return 0.0
            self._buckets[name] = (level, now)
            return (1.0 - level) / rate


@dataclass(frozen=True)
class KeyDecision:
    """What to do with a request that carries an Idempotency-Key."""

    action: str                       # "process", "replay", "mismatch", "in_flight"
    status: int | None = None
    body: bytes | None = None


class IdempotencyKeys:
    """Claims keys durably before processing and keeps the response after it."""

    def __init__(self, records: HttpRecords) -> None:
        self.records = records
        self.owner = uuid.uuid4().hex  # this server instance
        self._flying: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        # one key write at a time in this process: 16 threads racing for SQLite's write lock sleep
        # in its busy handler (up to 100 ms a try), which made keyed requests' p99 over a second
        self._writing = threading.Lock()
        self._last_purge = 0.0

    def begin(self, scope: str, key: str, body: bytes) -> KeyDecision:
        fingerprint = hashlib.sha256(body).hexdigest()
        claim = IdempotencyRecord(scope, key, fingerprint, IN_FLIGHT, self.owner, created_at=time.time())
        self._purge_now_and_then()
        with self._lock:  # in this process, the in-flight set decides 409
            if (scope, key) in self._flying:
                return KeyDecision("in_flight")
            self._flying.add((scope, key))
        try:
            decision = self._decide(claim)
        except BaseException:
            self._forget(scope, key)
            raise
        if decision.action != "process":
            self._forget(scope, key)
        return decision

    def _decide(self, claim: IdempotencyRecord) -> KeyDecision:
        with self._writing:
            return self._decide_alone(claim)

    def _decide_alone(self, claim: IdempotencyRecord) -> KeyDecision:
        existing = self.records.claim_key(claim)
        if existing is None:
            return KeyDecision("process")
        if existing.state == DONE:
            if existing.fingerprint != claim.fingerprint:
                return KeyDecision("mismatch")
            return KeyDecision("replay", existing.status, existing.body)
        # in flight under a server that is gone (a crash): nothing was answered, so whatever the
        # body, process it; should the lost attempt have committed, the unique indexes catch it
        if existing.owner != self.owner and self.records.take_over_key(claim, existing.owner):
            return KeyDecision("process")
        return KeyDecision("in_flight")

    def finish(self, scope: str, key: str, status: int, body: bytes) -> None:
        try:
            with self._writing:
                self.records.complete_key(scope, key, status, body)
        finally:
            self._forget(scope, key)

    def release(self, scope: str, key: str) -> None:
        """The request was not answered with a final response (a 503): a retry runs anew."""
        try:
            with self._writing:
                self.records.release_key(scope, key, self.owner)
        finally:
            self._forget(scope, key)

    def _forget(self, scope: str, key: str) -> None:
        with self._lock:
            self._flying.discard((scope, key))

    def _purge_now_and_then(self) -> None:
        now = time.time()
        if now - self._last_purge > 3600:
            self._last_purge = now
            self.records.purge_keys(now - KEEP_KEYS_S)


class EventCommits:
    """Single events of the HTTP server, awaited in its event loop: one writer thread commits
    whatever arrived meanwhile as one durable batch and wakes the loop once per commit. No
    request holds a thread while it waits, and nothing is answered before its commit."""

    def __init__(self, apply: ApplyBatch) -> None:
        self._apply = apply
        self._queue: CommitQueue | None = None
        self._lock = threading.Lock()

    async def submit(self, prepared: Prepared) -> SubmitResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[SubmitResult] = loop.create_future()
        self._queue_for(loop).put(future, prepared)
        return await future

    def _queue_for(self, loop: asyncio.AbstractEventLoop) -> CommitQueue:
        with self._lock:
            if self._queue is None:  # one server, one loop: made on its first event
                def deliver(pairs: list[tuple[Any, SubmitResult]]) -> None:
                    loop.call_soon_threadsafe(_settle, pairs)  # one wake-up of the loop per commit
                self._queue = CommitQueue(self._apply, deliver)
            return self._queue

    def close(self) -> None:
        with self._lock:
            queue, self._queue = self._queue, None
        if queue is not None:
            queue.close()


def _settle(pairs: list[tuple[Any, SubmitResult]]) -> None:
    for future, result in pairs:
        if not future.done():  # a request given up on (client gone) has nothing to wake
            future.set_result(result)


class MappingsFollower:
    """Looks at the store's current mappings every ``every`` seconds, in a thread of its own,
    and takes up a version another process made current (``App.follow_store_mappings``): a
    server never goes on normalizing with mappings its user has replaced."""

    def __init__(self, follow: Callable[[], bool], every: float = MAPPINGS_LOOK_S) -> None:
        self._stop = threading.Event()
        self.changes = 0
        self._thread = threading.Thread(target=self._run, args=(follow, every), name="eventdesk-mappings",
                                        daemon=True)
        self._thread.start()

    def _run(self, follow: Callable[[], bool], every: float) -> None:
        while not self._stop.wait(every):
            self.changes += follow()  # False also when the store is away: the mappings in use stay

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)


class HttpState:
    """Everything the server keeps per store beside the App: ``HttpState.of(app)``."""

    def __init__(self, store: Any, apply: ApplyBatch | None = None,
                 follow_mappings: Callable[[], bool] | None = None) -> None:
        self.records = http_records_for(store)
        self.tokens = Tokens(self.records)
        self.keys = IdempotencyKeys(self.records)
        self.rates = RateLimiter()
        self.commits = EventCommits(apply) if apply is not None else None
        self.mappings = MappingsFollower(follow_mappings) if follow_mappings is not None else None

    @classmethod
    def of(cls, app: Any) -> "HttpState":
        """The records, tokens, keys, rate limits and single-event commits of the App's store,
        and a watch on its current mappings."""
        return cls(app.store, app.processor.apply, app.follow_store_mappings)

    def close(self) -> None:
        if self.mappings is not None:
            self.mappings.close()
        if self.commits is not None:
            self.commits.close()  # what is queued commits first
        self.records.close()


# -- JSON shapes

def result_json(result: SubmitResult) -> dict[str, Any]:
    """``submit --json`` plus ``duplicate_of``: the original raw event of an exact duplicate, the
    normalized event a semantic duplicate equals."""
    body = result.to_json()
    if result.outcome is Outcome.DUPLICATE:
        body["duplicate_of"] = result.raw_id
    elif result.outcome is Outcome.SEMANTIC_DUPLICATE:
        body["duplicate_of"] = result.normalized_id
    else:
        body["duplicate_of"] = None
    return body


def raw_item(event: Any) -> dict[str, Any]:
    return raw_row(event)


def normalized_item(event: Any) -> dict[str, Any]:
    return normalized_row(event)


# -- query parameters

def encode_cursor(last_id: Any) -> str:
    kind = "i" if isinstance(last_id, int) else "s"
    return base64.urlsafe_b64encode(f"{kind}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> Any:
    if text is None or text == "":
        return None
    try:
        kind, _, value = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().partition(":")
        if kind == "i":
            return int(value)
        if kind == "s" and value:
            return value
    except (ValueError, UnicodeDecodeError):
        pass
    raise QueryError(f"after: {text!r} is not a cursor this server handed out")


def parse_limit(text: str | None, default: int = 100, most: int = 1000) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise QueryError(f"limit: {text!r} is not a whole number") from None
    if not 1 <= value <= most:
        raise QueryError(f"limit must be between 1 and {most}")
    return value


def parse_when(name: str, text: str | None, end: bool = False) -> datetime | None:
    """A date or instant read as ``aggregates --from/--to`` reads it (core.filters.time_bound)."""
    if text is None or text == "":
        return None
    try:
        return time_bound(text, end)
    except ValueError as exc:
        raise QueryError(f"{name}: {exc}") from None


def client_param(name: str, text: str | None) -> str | None:
    """A client filter, trimmed as sources are (core.filters.client_filter)."""
    return None if text is None or text == "" else _filter(name, client_filter, text)


def metric_param(name: str, text: str | None) -> str | None:
    """A metric filter, normalised as metrics are (core.filters.metric_filter)."""
    return None if text is None or text == "" else _filter(name, metric_filter, text)


def _filter(name: str, read: Callable[[str], str], text: str) -> str:
    try:
        return read(text)
    except ValueError as exc:
        raise QueryError(f"{name}: {exc}") from None
