"""The SQLite tables of the HTTP API (tokens, Idempotency-Key records): created with the schema,
used by ``tokens.SqliteHttpRecords``. Apart from both, so that neither imports the other."""
from __future__ import annotations

import sqlite3

TABLES = (
    """CREATE TABLE IF NOT EXISTS http_tokens(
        name TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,   -- SHA-256 hex; the token itself is never stored
        sources TEXT NOT NULL,             -- comma-separated, or *
        rate REAL,
        created_at TEXT NOT NULL,
        revoked_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS http_idempotency(
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL,
        owner TEXT NOT NULL,
        status INTEGER,
        body BLOB,
        created_at REAL NOT NULL,
        PRIMARY KEY (scope, key)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS http_idempotency_age ON http_idempotency(created_at)",
)


def create_tables(conn: sqlite3.Connection) -> None:
    """Idempotent; called from ``schema.create`` and ``SqliteHttpRecords`` inside its transaction."""
    for statement in TABLES:
        conn.execute(statement)
