"""SqliteStore: the EventStore adapter for an embedded SQLite file.

One connection per thread (sqlite3 connections must not be shared), WAL with
``synchronous=FULL`` so a commit is on disk when it returns, ``BEGIN IMMEDIATE`` with a busy
timeout so concurrent writers, threads or processes, queue instead of failing.
"""
from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
import urllib.parse
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar

from eventdesk.core.errors import StoreError, StoreUnavailable
from eventdesk.core.model import EventId, NormalizedEvent, RawEvent
from eventdesk.core.ports import MappingVersion, StoreVersionError
from eventdesk.core.ports.renormalize import RenormalizeRun
from eventdesk.core.queries import AggregateQuery, AggregateRow, NormalizedQuery, Page, RawQuery, Stats
from eventdesk.core.triage import TriageGroup, TriageQuery
from eventdesk.store.sqlite import chunks, mapping_notes, reads, renormalize, schema, triage, versions
from eventdesk.store.sqlite.errors import translate
from eventdesk.store.sqlite.renormalize import SqliteRenormalizeUnit
from eventdesk.store.sqlite.unit_of_work import SqliteUnitOfWork

T = TypeVar("T")
DEFAULT_BUSY_TIMEOUT_MS = 30_000


def _mapped(method: Callable[..., T]) -> Callable[..., T]:
    """Turn sqlite3 errors raised by a store method into eventdesk store errors."""
    @functools.wraps(method)
    def wrapper(self: "SqliteStore", *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise translate(exc, self.description) from exc
    return wrapper


class SqliteStore:
    """Raw and normalized events in one SQLite file."""

    transactions = True
    bulk_rows = True  # units of work take whole batches of rows (store/sqlite/bulk.py)

    def __init__(self, path: str, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
                 unique_indexes: bool = True, read_only: bool = False) -> None:
        self.path = os.path.abspath(path) if path != ":memory:" else path
        self.description = self.path
        self.read_only = read_only  # no write lock, no DDL: readers never wait for a writer
        self._busy_timeout_ms = busy_timeout_ms
        self._unique = unique_indexes  # False only in negative-control tests
        self._local = threading.local()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        folder = os.path.dirname(self.path)
        if folder and not os.path.isdir(folder):
            raise translate(sqlite3.OperationalError("unable to open database file"), self.path)
        try:
            if read_only:
                self._open_read_only()
            else:
                upgraded = self._while_busy(lambda: schema.create(self._conn(), unique_indexes, self.path))
                if upgraded:
                    versions.announce(self.description, upgraded[0], schema.SCHEMA_VERSION, upgraded[1])
        except sqlite3.Error as exc:
            self.close()
            raise translate(exc, self.description) from exc
        except StoreError:
            self.close()
            raise

    def _open_read_only(self) -> None:
        """Check the version without writing; an older store is upgraded once, where it can be."""
        if self.path == ":memory:":
            raise StoreUnavailable("a store in memory cannot be opened read-only: it would always be empty")
        folder = os.path.dirname(self.path)
        version = schema.check_readable(self._conn(), self.path) if os.path.exists(self.path) else None
        if version is None and os.access(folder, os.W_OK):  # no store yet: created once, as before
            self.close()
            SqliteStore(self.path, self._busy_timeout_ms, self._unique).close()
        elif version is None:
            raise StoreUnavailable(f"there is no eventdesk store at {self.path} to read")
        elif version < schema.SCHEMA_VERSION:
            if not os.access(self.path, os.W_OK) or not os.access(folder, os.W_OK):
                raise StoreVersionError(
                    f"the store {self.path} has schema version {version} and is read-only here; "
                    "open it once where it can be written so that eventdesk upgrades it")
            self.close()
            SqliteStore(self.path, self._busy_timeout_ms, self._unique).close()  # the one-time upgrade

    def _while_busy(self, action: Callable[[], T]) -> T:
        """Run ``action``, retrying while SQLite reports a lock it does not wait for itself
        (switching to WAL, or recovering a WAL, returns SQLITE_BUSY at once)."""
        deadline = time.monotonic() + self._busy_timeout_ms / 1000
        delay = 0.005
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                busy = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (5, 6) or "locked" in str(exc)
                if not busy or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.25)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            setup = schema.configure_read_only if self.read_only else schema.configure
            try:
                self._while_busy(lambda: setup(conn, self._busy_timeout_ms))
            except sqlite3.Error:
                conn.close()
                raise
            self._local.conn = conn
            with self._lock:
                self._close_orphans()
                self._connections.append((threading.current_thread(), conn))
        return conn

    def _connect(self) -> sqlite3.Connection:
        if not self.read_only:
            return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=self._busy_timeout_ms / 1000)
        uri = f"file:{urllib.parse.quote(self.path)}?mode=ro"
        wal = self.path + "-wal"
        if not os.access(os.path.dirname(self.path), os.W_OK) and (not os.path.exists(wal) or os.path.getsize(wal) == 0):
            uri += "&immutable=1"  # a read-only copy: no WAL to read and no -shm can be made beside it
        return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                               timeout=self._busy_timeout_ms / 1000)

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended (thread pools retire threads)."""
        alive = []
        for thread, conn in self._connections:
            if thread.is_alive():
                alive.append((thread, conn))
            else:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
        self._connections = alive

    def close(self) -> None:
        with self._lock:
            for _, conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()
        self._local = threading.local()

    # -- writes

    def row_stager(self) -> tuple[Callable[[list], Any], int]:
        """How bulk-ingest workers stage rows for this store (chunk files; stale ones removed),
        and how many staged chunks one unit of work takes (SQLite attaches at most 10 files)."""
        chunks.sweep()
        return chunks.write_chunk, chunks.MAX_PER_BATCH

    def discard_staged_rows(self) -> int:
        """After an ingest's workers are gone: remove chunk files they made for this process that
        it never received (a worker killed after writing one). One bulk ingest at a time per
        process: the desktop app imports in a process of its own."""
        return chunks.sweep(mine=True)

    @contextmanager
    def unit_of_work(self) -> Iterator[SqliteUnitOfWork]:
        try:
            conn = self._conn()
            with SqliteUnitOfWork(conn, self._unique, lambda e: translate(e, self.description)) as uow:
                yield uow
        except sqlite3.Error as exc:
            raise translate(exc, self.description) from exc

    @contextmanager
    def renormalize_unit(self) -> Iterator[SqliteRenormalizeUnit]:
        """A unit of work for re-normalization (``store/sqlite/renormalize.py``)."""
        try:
            with SqliteRenormalizeUnit(self._conn(), self._unique, lambda e: translate(e, self.description)) as uow:
                yield uow
        except sqlite3.Error as exc:
            raise translate(exc, self.description) from exc

    @contextmanager
    def dry_run_unit(self) -> Iterator[SqliteRenormalizeUnit]:
        """A re-normalization unit on a connection of its own that is always rolled back: the
        store file is never written, also when this store was opened read-only."""
        if self.path == ":memory:":
            raise StoreUnavailable("a dry run needs a store file")
        try:
            conn = sqlite3.connect(f"file:{urllib.parse.quote(self.path)}?mode=rw", uri=True,
                                   isolation_level=None, timeout=self._busy_timeout_ms / 1000)
            try:
                conn.execute("PRAGMA cache_spill=OFF")  # uncommitted pages stay in memory, never in the WAL
                conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
                with SqliteRenormalizeUnit(conn, self._unique, lambda e: translate(e, self.description)) as uow:
                    yield uow
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise translate(exc, self.description) from exc

    @_mapped
    def renormalize_runs(self) -> list[RenormalizeRun]:
        return renormalize.runs(self._conn())

    @_mapped
    def has_mark(self, token: str) -> bool:
        return self._conn().execute("SELECT 1 FROM commit_marks WHERE token = ?", (token,)).fetchone() is not None

    # -- reads

    @_mapped
    def get_raw(self, raw_id: EventId) -> Optional[RawEvent]:
        row = self._conn().execute(f"SELECT {reads.RAW_COLUMNS} FROM raw_events r WHERE r.id = ?",
                                   (raw_id,)).fetchone()
        return reads.raw_from_row(row) if row else None

    @_mapped
    def get_normalized(self, normalized_id: EventId) -> Optional[NormalizedEvent]:
        row = self._conn().execute(f"SELECT {reads.NORMALIZED_COLUMNS} FROM normalized_events WHERE id = ?",
                                   (normalized_id,)).fetchone()
        return reads.normalized_from_row(row) if row else None

    @_mapped
    def normalized_for_raw(self, raw_id: EventId) -> Optional[NormalizedEvent]:
        row = self._conn().execute(
            f"SELECT {reads.NORMALIZED_COLUMNS} FROM normalized_events WHERE raw_id = ?", (raw_id,)).fetchone()
        return reads.normalized_from_row(row) if row else None

    @_mapped
    def normalized_holders(self, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
        return reads.normalized_holders(self._conn(), hashes)

    @_mapped
    def warned_raw_ids(self, raw_ids: Sequence[EventId]) -> set[EventId]:
        ids = [i for i in raw_ids if isinstance(i, int)]
        found: set[EventId] = set()
        for part in schema.in_parts(ids):
            found.update(r[0] for r in self._conn().execute(
                f"SELECT raw_id FROM normalized_events WHERE raw_id IN ({','.join('?' * len(part))})"
                " AND warnings IS NOT NULL", part))
        return found

    @_mapped
    def query_raw(self, query: RawQuery, page: Page) -> list[RawEvent]:
        return reads.query_raw(self._conn(), query, page)

    @_mapped
    def count_raw(self, query: RawQuery) -> int:
        return reads.count_raw(self._conn(), query)

    @_mapped
    def query_normalized(self, query: NormalizedQuery, page: Page) -> list[NormalizedEvent]:
        return reads.query_normalized(self._conn(), query, page)

    @_mapped
    def count_normalized(self, query: NormalizedQuery) -> int:
        return reads.count_normalized(self._conn(), query)

    @_mapped
    def raw_ids_by_status(self, statuses: Sequence[str], after_id: Optional[EventId], limit: int,
                          updated_before: Optional[str] = None) -> list[RawEvent]:
        return reads.raw_by_status(self._conn(), statuses, after_id, limit, updated_before)

    @_mapped
    def distinct_values(self, field: str) -> list[str]:
        return reads.distinct_values(self._conn(), field)

    @_mapped
    def stats(self) -> Stats:
        conn = self._conn()
        conn.execute("BEGIN")  # one snapshot for the status counts and the day totals
        try:
            return reads.stats(conn)
        finally:
            conn.execute("COMMIT")

    @_mapped
    def per_client(self) -> dict[str, dict[str, int]]:
        return reads.per_client(self._conn())

    @_mapped
    def aggregates(self, query: AggregateQuery) -> list[AggregateRow]:
        conn = self._conn()
        conn.execute("BEGIN")  # one snapshot for the day totals and the edge days
        try:
            return reads.aggregates(conn, query)
        finally:
            conn.execute("COMMIT")

    @_mapped
    def received_per_bucket(self, bucket: str) -> list[tuple[str, int]]:
        return reads.received_per_bucket(self._conn(), bucket)

    @_mapped
    def triage(self, query: TriageQuery) -> list[TriageGroup]:
        conn = self._conn()
        conn.execute("BEGIN")  # one snapshot for the raw and the normalized side
        try:
            return triage.triage(conn, query)
        finally:
            conn.execute("COMMIT")

    @_mapped
    def integrity_check(self) -> str:
        return self._conn().execute("PRAGMA integrity_check").fetchone()[0]

    # -- mappings

    @_mapped
    def current_mappings(self) -> Optional[tuple[int, str]]:
        row = self._conn().execute(
            "SELECT version, text FROM mappings ORDER BY version DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else None

    @_mapped
    def save_mappings(self, text: str, saved_at: str, saved_by: Optional[str] = None,
                      note: Optional[str] = None) -> int:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("SELECT coalesce(max(version), 0) + 1 FROM mappings").fetchone()[0]
            conn.execute("INSERT INTO mappings(version, text, saved_at) VALUES (?, ?, ?)",
                         (version, text, saved_at))
            if saved_by is not None or note is not None:
                mapping_notes.add(conn, version, saved_by, note)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return version

    @_mapped
    def mappings_history(self) -> list[MappingVersion]:
        return mapping_notes.history(self._conn())

    @_mapped
    def mappings_version(self, version: int) -> Optional[MappingVersion]:
        return mapping_notes.one(self._conn(), version)

__all__ = ["SqliteStore", "StoreError"]
