"""Where the bulk writer's time goes: every statement of ``store/sqlite/bulk.py``, the commits and
the waits for workers, timed with ``time.perf_counter`` during one real ingest (docs/performance.md).

    .venv/bin/python scripts/profile_bulk_writer.py EVENTS.jsonl MAPPINGS.json [STORE.db] [--batch-size N]

A store that exists is ingested into as it is (copy it first: it is written); else a fresh one.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import sys
import tempfile
import time

from eventdesk.app import Settings, build_app, events
from eventdesk.core import parallel
from eventdesk.store.sqlite import bulk, unit_of_work

spent: collections.Counter[str] = collections.Counter()


class _Timed:
    """A connection whose statements are timed (results read at once, so that a SELECT's time
    is its own)."""

    def __init__(self, conn) -> None:
        self._conn = conn

    def execute(self, sql, *args):
        started = time.perf_counter()
        cursor = self._conn.execute(sql, *args)
        rows = cursor.fetchall() if sql.lstrip().upper().startswith("SELECT") else None
        spent[_label(sql)] += time.perf_counter() - started
        return _Rows(rows) if rows is not None else cursor

    def executemany(self, sql, *args):
        started = time.perf_counter()
        cursor = self._conn.executemany(sql, *args)
        spent["many " + _label(sql)] += time.perf_counter() - started
        return cursor


def _label(sql: str) -> str:
    """A statement's first words, the same for every chunk it runs on."""
    return re.sub(r"eventdesk_chunk\d+", "eventdesk_chunkN", " ".join(sql.split()))[:70]


class _Rows:
    def __init__(self, rows) -> None:
        self._rows = rows

    def __iter__(self):
        return iter(self._rows)

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self):
        return self._rows


def _timed(function, label):
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started
    return timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events")
    parser.add_argument("mappings")
    parser.add_argument("store", nargs="?")
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()
    store = args.store or os.path.join(tempfile.mkdtemp(prefix="eventdesk-profile-"), "store.db")
    ingest_rows = bulk.ingest_rows
    bulk.ingest_rows = lambda conn, *a, **k: ingest_rows(_Timed(conn), *a, **k)  # type: ignore[assignment]
    unit_of_work.SqliteUnitOfWork.commit = _timed(unit_of_work.SqliteUnitOfWork.commit, "COMMIT")  # type: ignore[method-assign]
    parallel.PendingChunk.get = _timed(parallel.PendingChunk.get, "wait for a worker's chunk")  # type: ignore[method-assign]
    app = build_app(Settings(store_uri=store, mappings_file=args.mappings))
    started = time.perf_counter()
    try:
        summary = events.ingest_files(app, [args.events], batch_size=args.batch_size)
    finally:
        app.close()
    wall = time.perf_counter() - started
    print(f"{summary.lines:,} lines in {wall:.2f} s ({summary.lines / wall:,.0f} events/s); store {store}")
    print(f"{'seconds':>8} {'µs/event':>9}  statement")
    for label, seconds in spent.most_common():
        if seconds < 0.001:
            continue
        print(f"{seconds:8.3f} {seconds / summary.lines * 1e6:9.2f}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
