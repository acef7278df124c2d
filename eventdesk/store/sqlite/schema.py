"""The SQLite schema of an eventdesk store, and how a connection is set up.

Hashes are stored as 32-byte BLOBs (half the index size of hex). Amounts are stored as
canonical text and, where exact, as integer units of 10**-4 for SQL sums. ``daily_totals`` is kept
in the same transaction as each normalized insert (one upsert per day group and batch), so
aggregates read a few thousand rows instead of millions. Sums of units are kept as two integers,
``sum_high * 2**32 + sum_low`` with ``|sum_low| < 2**32``, so that they never overflow int64
(SQLite would turn an overflowing sum into a float). Schema versions: see ``versions.py``.
"""
from __future__ import annotations

import sqlite3
from typing import Iterator, Optional, Sequence, TypeVar

from eventdesk.store.sqlite import versions
from eventdesk.store.sqlite.http_tables import create_tables as create_http_tables

APPLICATION_ID = 0x45564453  # "EVDS", written in the file header
SCHEMA_VERSION = 4  # 2: daily_totals sums split; 3: reasons, mapping_version; 4: see versions.py
SUM_SPLIT = 2**32  # a sum of units is kept as high * SUM_SPLIT + low, |low| < SUM_SPLIT

T = TypeVar("T")
#: Bound parameters per ``IN (...)`` query.
IN_LIMIT = 500


def in_parts(items: Sequence[T], size: int = IN_LIMIT) -> Iterator[Sequence[T]]:
    """``items`` in slices small enough for one ``IN (...)`` each."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


PRAGMAS = (
    # a new store's pages: 8 KiB halves the pages a random-key index insert touches (no-op later)
    "PRAGMA page_size=8192",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=OFF",
    "PRAGMA cache_size=-65536",
    "PRAGMA temp_store=MEMORY",
    # checkpoint every ~40 MB of WAL, not 4 MB: bulk batches re-dirty the same index pages,
    # which a later checkpoint then writes once
    "PRAGMA wal_autocheckpoint=10000",
)

TABLES = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS raw_events(
    id INTEGER PRIMARY KEY,
    source TEXT,
    body NOT NULL,                  -- TEXT as received, or BLOB when it was not valid UTF-8
    status TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    receipts INTEGER NOT NULL DEFAULT 1,
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    duplicate_of INTEGER,
    reasons TEXT                    -- JSON [{code, field, key}] of a rejection or the last failure
);
CREATE TABLE IF NOT EXISTS normalized_events(
    id INTEGER PRIMARY KEY,
    raw_id INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    metric TEXT,
    amount TEXT,                    -- canonical decimal text
    amount_units INTEGER,           -- amount * 10**4 where exact and in range, else NULL
    ts INTEGER,                     -- microseconds since 1970-01-01 UTC
    timestamp TEXT,
    normalized_hash BLOB NOT NULL,
    warnings TEXT,                  -- JSON list, NULL when there are none
    reasons TEXT,                   -- JSON [{code, field, key}], one per warning, NULL when none
    mapping_version INTEGER         -- the mappings version that made it, NULL: made before v3
);
CREATE TABLE IF NOT EXISTS daily_totals(
    client_id TEXT NOT NULL,
    metric TEXT NOT NULL,           -- '' stands for a missing metric
    day INTEGER NOT NULL,           -- days since 1970-01-01 UTC, -1000000 standing for no timestamp
    n INTEGER NOT NULL,
    n_amount INTEGER NOT NULL,
    n_exotic INTEGER NOT NULL,      -- amounts without exact units: summed on the slow path
    sum_high INTEGER NOT NULL,      -- the exact sum of units is sum_high * 2**32 + sum_low
    sum_low INTEGER NOT NULL,       -- |sum_low| < 2**32: neither column ever overflows int64
    min_units INTEGER,
    max_units INTEGER,
    PRIMARY KEY (client_id, metric, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS status_counts(
    status TEXT PRIMARY KEY,        -- raw events per status, kept with every write, for stats
    n INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS commit_marks(
    token TEXT PRIMARY KEY,         -- written by each write transaction, read after a lost reply
    written_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mappings(
    version INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
"""

#: Who saved each mappings version and why (store/sqlite/mapping_notes.py).
MAPPING_NOTES = "CREATE TABLE IF NOT EXISTS mapping_notes(version INTEGER PRIMARY KEY, saved_by TEXT, note TEXT)"
#: Re-normalization runs and the index their hand-overs use (store/sqlite/renormalize.py).
RENORMALIZE_TABLES = (
    "CREATE TABLE IF NOT EXISTS renormalize_runs(run_id INTEGER PRIMARY KEY, mapping_version INTEGER NOT NULL,"
    " scope TEXT NOT NULL, started_at TEXT NOT NULL, started_by TEXT, state TEXT NOT NULL,"
    " last_raw_id INTEGER, finished_at TEXT, counts TEXT NOT NULL)",
    # a hand-over looks for the first duplicate of a normalized event
    "CREATE INDEX IF NOT EXISTS raw_duplicate_of ON raw_events(duplicate_of, id) WHERE duplicate_of IS NOT NULL",
)

NO_DAY = -1_000_000


def split_sum(units: int) -> tuple[int, int]:
    """(high, low) with high * SUM_SPLIT + low == units, both truncated toward zero as SQL does."""
    high, low = divmod(abs(units), SUM_SPLIT)
    return (-high, -low) if units < 0 else (high, low)


def joined_sum(high: Optional[int], low: Optional[int]) -> int:
    """The exact sum of units that (high, low) hold; NULLs (no rows) are 0."""
    return (high or 0) * SUM_SPLIT + (low or 0)

DAILY_UPSERT = """
INSERT INTO daily_totals(client_id, metric, day, n, n_amount, n_exotic, sum_high, sum_low,
                         min_units, max_units)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(client_id, metric, day) DO UPDATE SET
    n = n + excluded.n,
    n_amount = n_amount + excluded.n_amount,
    n_exotic = n_exotic + excluded.n_exotic,
    -- carry what the low parts add beyond 2**32 (integer / and % truncate toward zero)
    sum_high = sum_high + excluded.sum_high + (sum_low + excluded.sum_low) / 4294967296,
    sum_low = (sum_low + excluded.sum_low) % 4294967296,
    min_units = CASE WHEN min_units IS NULL OR excluded.min_units < min_units
                     THEN coalesce(excluded.min_units, min_units) ELSE min_units END,
    max_units = CASE WHEN max_units IS NULL OR excluded.max_units > max_units
                     THEN coalesce(excluded.max_units, max_units) ELSE max_units END
"""


STATUS_COUNT_ADD = ("INSERT INTO status_counts(status, n) VALUES (?, ?)"
                    " ON CONFLICT(status) DO UPDATE SET n = n + excluded.n")
RECEIPTS_ADD = "UPDATE raw_events SET receipts = receipts + ? WHERE id = ?"  # (receipts, raw id)


def index_statements(unique: bool) -> list[str]:
    """Indexes; ``unique=False`` exists only for the negative-control tests."""
    kind = "UNIQUE INDEX" if unique else "INDEX"
    return [
        f"CREATE {kind} IF NOT EXISTS raw_content_hash ON raw_events(content_hash)",
        f"CREATE {kind} IF NOT EXISTS normalized_hash ON normalized_events(normalized_hash)",
        "CREATE INDEX IF NOT EXISTS raw_status ON raw_events(status, id)",
        "CREATE INDEX IF NOT EXISTS raw_source ON raw_events(source, id)",
        "CREATE INDEX IF NOT EXISTS raw_extra_receipts ON raw_events(receipts) WHERE receipts > 1",
        "CREATE INDEX IF NOT EXISTS normalized_raw ON normalized_events(raw_id)",
        "CREATE INDEX IF NOT EXISTS normalized_client_metric ON normalized_events(client_id, metric, ts)",
        "CREATE INDEX IF NOT EXISTS normalized_ts ON normalized_events(ts)",
        # triage reads the few events with warnings without scanning all of them
        "CREATE INDEX IF NOT EXISTS normalized_with_reasons ON normalized_events(id) WHERE reasons IS NOT NULL",
    ]


def configure(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    for pragma in PRAGMAS:
        conn.execute(pragma)


def configure_read_only(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """A reader changes nothing: no journal mode switch, no checkpoints of its own."""
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    conn.execute("PRAGMA query_only=1")
    conn.execute("PRAGMA cache_size=-65536")


def check_readable(conn: sqlite3.Connection, where: str) -> Optional[int]:
    """The version of an eventdesk store this program can read; refuses others with one line."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables and "raw_events" not in tables):
        raise sqlite3.DatabaseError("file is not an eventdesk store")
    version = versions.stored_version(conn)
    versions.refuse_newer(version, SCHEMA_VERSION, where)
    return version


def create(conn: sqlite3.Connection, unique: bool, path: str = ":memory:") -> Optional[tuple[int, str]]:
    """Create, check or upgrade the schema; idempotent and safe for several processes at once.

    Returns (old version, copy path) when it upgraded an older store, else None.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = check_readable(conn, path)
        upgraded = None
        if version is not None and version < SCHEMA_VERSION:
            copy = versions.keep_copy(path, version) if path != ":memory:" else ""
            versions.upgrade(conn, version)
            upgraded = (version, copy)
        for statement in TABLES.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("DROP TRIGGER IF EXISTS normalized_daily")  # early builds kept totals by trigger
        if conn.execute("SELECT count(*) FROM status_counts").fetchone()[0] == 0:  # older stores
            conn.execute("INSERT INTO status_counts(status, n) SELECT status, count(*) FROM raw_events"
                         " GROUP BY status")
        for statement in index_statements(unique) + [MAPPING_NOTES, *RENORMALIZE_TABLES]:
            conn.execute(statement)
        create_http_tables(conn)  # HTTP API: tokens and Idempotency-Key records
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        if upgraded:
            versions.after_tables(conn, upgraded[0], NO_DAY, SUM_SPLIT)
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                     (str(SCHEMA_VERSION),))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return upgraded
