"""Schema versions of a SQLite store (design section 11).

``meta.schema_version`` records the version. A newer store is refused before anything is
written; an older one is copied to ``NAME.bak-vN`` and upgraded in the open transaction of
``schema.create``, which commits the upgrade and the rest of the schema together.

    1  daily_totals.sum_units (one int64, overflowed to a float past ~10**6 large amounts)
    2  daily_totals.sum_high, sum_low: exact at any size; rebuilt from normalized_events
    3  raw_events.reasons, normalized_events.reasons and mapping_version (added as NULL: the
       events of an older store keep their warnings text but have no codes, and which mappings
       version made them is not known, so none is guessed)
    4  mapping_notes, renormalize_runs and the raw_duplicate_of index are made with the schema
       (before: on first use, so a read-only command could find them missing); nothing else
       changes: the bulk write path of this release writes the same tables and rows. New stores
       get 8 KiB pages (``schema.PRAGMAS``); an older store keeps its page size.
"""
from __future__ import annotations

import logging
import sqlite3
from typing import Optional

from eventdesk.core.ports import StoreVersionError

log = logging.getLogger("eventdesk")

_REBUILD_DAILY_TOTALS = """
INSERT INTO daily_totals(client_id, metric, day, n, n_amount, n_exotic, sum_high, sum_low,
                         min_units, max_units)
SELECT client_id, coalesce(metric, ''),
       CASE WHEN ts IS NULL THEN {no_day}
            ELSE (ts - ((ts % 86400000000) + 86400000000) % 86400000000) / 86400000000 END,
       count(*), count(amount), count(amount) - count(amount_units),
       coalesce(sum(amount_units / {split}), 0) + coalesce(sum(amount_units % {split}), 0) / {split},
       coalesce(sum(amount_units % {split}), 0) % {split},
       min(amount_units), max(amount_units)
FROM normalized_events GROUP BY 1, 2, 3
"""


def stored_version(conn: sqlite3.Connection) -> Optional[int]:
    """The store's schema version; None for a file without eventdesk tables (a new store)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "raw_events" not in tables:
        return None
    if "meta" not in tables:
        return 1  # the first builds had no meta table
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0]) if row else 1
    except ValueError:
        raise StoreVersionError(f"the store's schema version {row[0]!r} cannot be read") from None


def refuse_newer(version: Optional[int], known: int, where: str) -> None:
    if version is not None and version > known:
        raise StoreVersionError(
            f"the store {where} was written by a newer eventdesk (schema version {version}; this "
            f"one knows up to {known}); it was not changed: upgrade eventdesk to use it")


def backup_path(path: str, version: int) -> str:
    return f"{path}.bak-v{version}"


def keep_copy(path: str, version: int) -> str:
    """Copy the committed store beside it (the caller holds the write lock, so it is stable)."""
    target = backup_path(path, version)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return target


def upgrade(conn: sqlite3.Connection, version: int) -> None:
    """Bring the schema from ``version`` to the current one, inside the caller's transaction."""
    if version < 2:
        conn.execute("DROP TABLE IF EXISTS daily_totals")  # recreated by schema.TABLES next
    if version < 3:
        _add_columns(conn, "raw_events", ("reasons TEXT",))
        _add_columns(conn, "normalized_events", ("reasons TEXT", "mapping_version INTEGER"))


def _add_columns(conn: sqlite3.Connection, table: str, columns: tuple[str, ...]) -> None:
    """ALTER TABLE ... ADD COLUMN for each column the table lacks (NULL in every old row)."""
    have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    for column in columns:
        if column.split()[0] not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


def after_tables(conn: sqlite3.Connection, version: int, no_day: int, split: int) -> None:
    """Fill what ``upgrade`` recreated, once the current tables exist."""
    if version < 2:
        conn.execute(_REBUILD_DAILY_TOTALS.format(no_day=no_day, split=split))


def announce(where: str, old: int, new: int, copy: str) -> None:
    log.warning("eventdesk: upgraded the store %s from schema version %d to %d; "
                "the old store is kept in %s", where, old, new, copy)
