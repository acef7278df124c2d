"""Who saved each mappings version, and why (a rollback): a side table beside ``mappings``.

Part of the schema since version 4; before, it was created on first use, so a store of an older
version may lack it until it is upgraded: a version without a note has saved_by unknown.
"""
from __future__ import annotations

import sqlite3
from typing import Optional

from eventdesk.core.ports import MappingVersion
from eventdesk.store.sqlite import schema

_TABLE = "mapping_notes"
_CREATE = schema.MAPPING_NOTES


def add(conn: sqlite3.Connection, version: int, saved_by: Optional[str], note: Optional[str]) -> None:
    """Inside the caller's write transaction."""
    conn.execute(_CREATE)
    conn.execute(f"INSERT OR REPLACE INTO {_TABLE}(version, saved_by, note) VALUES (?, ?, ?)",
                 (version, saved_by, note))


def _select(conn: sqlite3.Connection) -> str:
    present = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (_TABLE,)).fetchone()
    if present:
        return (f"SELECT m.version, m.text, m.saved_at, n.saved_by, n.note FROM mappings m"
                f" LEFT JOIN {_TABLE} n ON n.version = m.version")
    return "SELECT version, text, saved_at, NULL, NULL FROM mappings m"


def history(conn: sqlite3.Connection) -> list[MappingVersion]:
    return [MappingVersion(*row) for row in conn.execute(_select(conn) + " ORDER BY m.version")]


def one(conn: sqlite3.Connection, version: int) -> Optional[MappingVersion]:
    row = conn.execute(_select(conn) + " WHERE m.version = ?", (version,)).fetchone()
    return MappingVersion(*row) if row else None
