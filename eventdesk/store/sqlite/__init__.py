"""The embedded default store: SQLite in WAL mode with durable commits."""
from eventdesk.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
