"""Tokens and Idempotency-Key records in the store's SQLite file, on connections of their own."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from eventdesk.core.ports import DONE, IN_FLIGHT, IdempotencyRecord, TokenRecord
from eventdesk.store.sqlite import schema
from eventdesk.store.sqlite.errors import translate
from eventdesk.store.sqlite.http_tables import create_tables

T = TypeVar("T")


class SqliteHttpRecords:
    def __init__(self, path: str, busy_timeout_ms: int = 30_000) -> None:
        if path == ":memory:":
            raise ValueError("the HTTP server needs a store in a file, not in memory")
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write(lambda conn: create_tables(conn))

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=self._busy_timeout_ms / 1000)
            schema.configure(conn, self._busy_timeout_ms)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _read(self, action: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return action(self._conn())
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    def _write(self, action: Callable[[sqlite3.Connection], T]) -> T:
        try:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = action(conn)
                conn.execute("COMMIT")
                return result
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    # -- tokens

    def add_token(self, record: TokenRecord) -> None:
        def insert(conn: sqlite3.Connection) -> None:
            if conn.execute("SELECT 1 FROM http_tokens WHERE name = ?", (record.name,)).fetchone():
                raise ValueError(f"a token named {record.name!r} exists already")
            conn.execute("INSERT INTO http_tokens VALUES (?, ?, ?, ?, ?, ?)",
                         (record.name, record.token_hash, ",".join(record.sources), record.rate,
                          record.created_at, record.revoked_at))
        self._write(insert)

    def tokens(self) -> list[TokenRecord]:
        rows = self._read(lambda c: c.execute("SELECT * FROM http_tokens ORDER BY created_at, name").fetchall())
        return [_token(row) for row in rows]

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        row = self._read(lambda c: c.execute("SELECT * FROM http_tokens WHERE token_hash = ?",
                                             (token_hash,)).fetchone())
        return _token(row) if row else None

    def revoke_token(self, name: str, at: str) -> bool:
        return self._write(lambda c: c.execute(
            "UPDATE http_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            (at, name)).rowcount == 1)

    # -- idempotency keys

    def claim_key(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        def claim(conn: sqlite3.Connection) -> IdempotencyRecord | None:
            row = conn.execute("SELECT * FROM http_idempotency WHERE scope = ? AND key = ?",
                               (record.scope, record.key)).fetchone()
            if row:
                return _key(row)
            conn.execute("INSERT INTO http_idempotency VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)",
                         (record.scope, record.key, record.fingerprint, IN_FLIGHT, record.owner,
                          record.created_at))
            return None
        return self._write(claim)

    def take_over_key(self, record: IdempotencyRecord, previous_owner: str) -> bool:
        return self._write(lambda c: c.execute(
            "UPDATE http_idempotency SET owner = ?, created_at = ?, fingerprint = ? WHERE scope = ? AND key = ?"
            " AND state = ? AND owner = ?",
            (record.owner, record.created_at, record.fingerprint, record.scope, record.key, IN_FLIGHT, previous_owner)).rowcount == 1)

    def complete_key(self, scope: str, key: str, status: int, body: bytes) -> None:
        self._write(lambda c: c.execute(
            "UPDATE http_idempotency SET state = ?, status = ?, body = ? WHERE scope = ? AND key = ?",
            (DONE, status, body, scope, key)))

    def release_key(self, scope: str, key: str, owner: str) -> None:
        self._write(lambda c: c.execute(
            "DELETE FROM http_idempotency WHERE scope = ? AND key = ? AND state = ? AND owner = ?",
            (scope, key, IN_FLIGHT, owner)))

    def purge_keys(self, older_than: float) -> int:
        return self._write(lambda c: c.execute(
            "DELETE FROM http_idempotency WHERE created_at < ? AND state = ?", (older_than, DONE)).rowcount)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()


def _token(row: Any) -> TokenRecord:
    name, token_hash, sources, rate, created_at, revoked_at = row
    return TokenRecord(name, token_hash, tuple(s for s in sources.split(",") if s), rate, created_at, revoked_at)


def _key(row: Any) -> IdempotencyRecord:
    scope, key, fingerprint, state, owner, status, body, created_at = row
    return IdempotencyRecord(scope, key, fingerprint, state, owner, status,
                             bytes(body) if body is not None else None, created_at)
