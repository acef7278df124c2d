"""Stores: the adapters of the core's ports (sqlite: embedded default; mongo: pymongo).

``open_store`` chooses the adapter for a URI; ``http_records_for`` the HTTP records adapter
that lives in the same database. The ports themselves are in ``eventdesk.core.ports``.
"""
from __future__ import annotations

from typing import Any

from eventdesk.core.errors import StoreUnavailable
from eventdesk.core.ports import EventStore, HttpRecords
from eventdesk.store.uri import MONGO_SCHEMES, check_store_uri, redact, sqlite_path


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


def http_records_for(store: Any) -> HttpRecords:
    """The records adapter that lives in the same database as ``store``."""
    own = getattr(store, "http_records", None)
    if own is not None:  # a store that brings its own (the tests' in-memory fake)
        return own()  # type: ignore[no-any-return]
    from eventdesk.store.sqlite import SqliteStore
    if isinstance(store, SqliteStore):
        from eventdesk.store.sqlite.tokens import SqliteHttpRecords
        return SqliteHttpRecords(store.path)
    from eventdesk.store.mongo import MongoStore
    if isinstance(store, MongoStore):
        from eventdesk.store.mongo.tokens import MongoHttpRecords
        return MongoHttpRecords(store.database)
    raise TypeError(f"no HTTP records adapter for {type(store).__name__}")


__all__ = ["EventStore", "check_store_uri", "http_records_for", "open_store", "redact", "sqlite_path"]
