"""Stores: the EventStore port and its adapters (sqlite: embedded default; mongo: pymongo)."""
from __future__ import annotations

from typing import Any

from eventdesk.core.errors import StoreUnavailable
from eventdesk.store.port import EventStore
from eventdesk.store.uri import MONGO_SCHEMES, check_store_uri, sqlite_path


def open_store(uri: str, **options: Any) -> EventStore:
    """Open the store a URI names: a file path, ``sqlite:///path``, or ``mongodb://...``.

    A URI that names nothing usable is refused (``BadStoreUri``), never replaced by another store.
    """
    check_store_uri(uri)
    if uri.lower().startswith(MONGO_SCHEMES):
        try:
            from eventdesk.store.mongo import MongoStore
        except ImportError as exc:  # pymongo is a dependency; say so plainly if it is missing
            raise StoreUnavailable(f"MongoDB support is not installed ({exc.name})") from exc
        return MongoStore(uri, **options)
    from eventdesk.store.sqlite import SqliteStore

    return SqliteStore(sqlite_path(uri), **options)


__all__ = ["EventStore", "check_store_uri", "open_store", "sqlite_path"]
