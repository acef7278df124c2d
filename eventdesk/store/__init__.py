"""Stores: the EventStore port and its adapters (sqlite: embedded default; mongo: pymongo)."""
from __future__ import annotations

from typing import Any

from eventdesk.core.errors import StoreUnavailable
from eventdesk.store.port import EventStore


def open_store(uri: str, **options: Any) -> EventStore:
    """Open the store a URI names: a file path, ``sqlite:///path``, or ``mongodb://...``."""
    if uri.startswith(("mongodb://", "mongodb+srv://")):
        try:
            from eventdesk.store.mongo import MongoStore
        except ImportError as exc:  # pymongo is a dependency; say so plainly if it is missing
            raise StoreUnavailable(f"MongoDB support is not installed ({exc.name})") from exc
        return MongoStore(uri, **options)
    from eventdesk.store.sqlite import SqliteStore

    return SqliteStore(sqlite_path(uri), **options)


def sqlite_path(uri: str) -> str:
    """The file path of a SQLite URI or plain path (``sqlite:///rel``, ``sqlite:////abs``)."""
    if uri.startswith("sqlite:///"):
        return uri[len("sqlite:///"):] or ":memory:"
    if uri.startswith("sqlite://"):
        return uri[len("sqlite://"):]
    return uri


__all__ = ["EventStore", "open_store", "sqlite_path"]
