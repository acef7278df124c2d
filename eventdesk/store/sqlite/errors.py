"""Mapping sqlite3's errors to eventdesk's store errors, at the adapter's edge."""
from __future__ import annotations

import sqlite3

from eventdesk.core.errors import (
    StoreBug,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreReadOnly,
    StoreUnavailable,
)

# primary result codes (https://sqlite.org/rescode.html)
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _TOOBIG, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 18, 26


def translate(exc: sqlite3.Error, where: str) -> StoreError:
    """The store error that tells the user what happened to ``where`` (a path)."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(exc)
    lowered = text.lower()
    if code in (_BUSY, _LOCKED) or "locked" in lowered or "busy" in lowered:
        return StoreUnavailable(f"the store {where} is locked by another program; try again")
    if code == _READONLY or "readonly" in lowered or "read-only" in lowered:
        return StoreReadOnly(f"the store {where} is read-only; choose a file you can write")
    if code == _FULL or "full" in lowered:
        return StoreFull(f"the disk holding {where} is full; free some space and retry")
    if "could not decode" in lowered or code == _TOOBIG:  # never echo the damaged bytes
        return StoreCorrupt(f"the store {where} holds damaged data (text that is not UTF-8, or a value "
                            "of impossible size); restore it from a backup or export what can be read")
    if code in (_CORRUPT, _NOTADB) or "malformed" in lowered or "not a database" in lowered \
            or "not an eventdesk store" in lowered:
        return StoreCorrupt(f"the store {where} is damaged or not an eventdesk store ({text})")
    if code == _CANTOPEN or "unable to open" in lowered:
        return StoreUnavailable(f"the store {where} cannot be opened (missing folder or no permission)")
    if code == _IOERR or "disk i/o" in lowered:
        return StoreUnavailable(f"the store {where} could not be read or written (I/O error: {text})")
    return StoreBug(f"unexpected SQLite error on {where}: {text}")
