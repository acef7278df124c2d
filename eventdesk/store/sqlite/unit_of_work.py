"""One SQLite write transaction (BEGIN IMMEDIATE), rolled back unless committed.

Ids are assigned inside the write lock (max(id) + 1 ...), so a bulk insert learns which of its
rows the unique index refused by reading its own id range back: no per-row round trips.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Optional, Sequence

from eventdesk.core.aggregation import DAY_US
from eventdesk.core.model import Canonical, EventId
from eventdesk.core.ports import BulkCounts, NewNormalized, NewRaw, RawRef, RawUpdate
from eventdesk.core.rows import Batch, is_staged
from eventdesk.core.stored import stored_form
from eventdesk.store.sqlite import bulk, schema

MARKS_KEPT = timedelta(days=1)


def daily_totals(params: Iterable[tuple]) -> list[tuple]:
    """Per (client, metric, day) totals of inserted normalized rows, as DAILY_UPSERT values."""
    groups: dict[tuple, list] = {}
    for row in params:
        client, metric, amount, units, ts = row[2], row[3] or "", row[4], row[5], row[6]
        key = (client, metric, schema.NO_DAY if ts is None else ts // DAY_US)
        group = groups.get(key)
        if group is None:
            group = groups[key] = [0, 0, 0, 0, None, None]
        group[0] += 1
        if amount is not None:
            group[1] += 1
            if units is None:
                group[2] += 1
            else:
                group[3] += units
                group[4] = units if group[4] is None or units < group[4] else group[4]
                group[5] = units if group[5] is None or units > group[5] else group[5]
    return [key + tuple(values[:3]) + schema.split_sum(values[3]) + tuple(values[4:])
            for key, values in groups.items()]


class SqliteUnitOfWork:
    atomic = True

    def __init__(self, conn: sqlite3.Connection, unique: bool,
                 translate: Callable[[sqlite3.Error], Exception]) -> None:
        self._conn = conn
        self._unique = unique
        self._attached = False
        self._translate = translate
        self._committed = False
        on_raw = " ON CONFLICT(content_hash) DO NOTHING" if unique else ""
        on_normalized = " ON CONFLICT(normalized_hash) DO NOTHING" if unique else ""
        self._insert_raw_sql = (
            "INSERT INTO raw_events(id, source, body, status, content_hash, error, attempts, receipts,"
            " received_at, updated_at, reasons) VALUES (?,?,?,?,?,?,?,1,?,?,?)" + on_raw)
        self._insert_normalized_sql = (
            "INSERT INTO normalized_events(id, raw_id, client_id, metric, amount, amount_units, ts,"
            " timestamp, normalized_hash, warnings, reasons, mapping_version)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)" + on_normalized)

    def __enter__(self) -> "SqliteUnitOfWork":
        self._conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._committed and self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        self._detach()

    def _next_id(self, table: str) -> int:
        return self._conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]

    def _inserted(self, table: str, first: int, count: int) -> set[int]:
        rows = self._conn.execute(f"SELECT id FROM {table} WHERE id >= ? AND id < ?",
                                  (first, first + count))
        return {r[0] for r in rows}

    def insert_raws(self, rows: Sequence[NewRaw]) -> list[Optional[EventId]]:
        first = self._next_id("raw_events")
        params = [(first + i, r.source, r.text, r.status, bytes.fromhex(r.content_hash), r.error,
                   r.attempts, r.received_at, r.received_at, r.reasons) for i, r in enumerate(rows)]
        self._conn.executemany(self._insert_raw_sql, params)
        inserted = self._inserted("raw_events", first, len(rows))
        ids: list[Optional[EventId]] = [first + i if first + i in inserted else None for i in range(len(rows))]
        added: dict[str, int] = {}
        for row, new_id in zip(rows, ids):
            if new_id is not None:
                added[row.status] = added.get(row.status, 0) + 1
        self._conn.executemany(schema.STATUS_COUNT_ADD, added.items())
        return ids

    def find_raws(self, content_hashes: Sequence[str]) -> dict[str, RawRef]:
        found: dict[str, RawRef] = {}
        for chunk in schema.in_parts(list(content_hashes)):
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                "SELECT r.content_hash, r.id, r.status, r.attempts, n.id, r.duplicate_of"
                " FROM raw_events r LEFT JOIN normalized_events n ON n.raw_id = r.id"
                f" WHERE r.content_hash IN ({marks}) ORDER BY r.id",
                [bytes.fromhex(h) for h in chunk])
            for digest, raw_id, status, attempts, normalized_id, duplicate_of in rows:
                found.setdefault(digest.hex(), RawRef(raw_id, status, attempts, normalized_id, duplicate_of))
        return found

    def insert_normalized(self, rows: Sequence[NewNormalized]) -> list[Optional[EventId]]:
        first = self._next_id("normalized_events")
        params = []
        for i, r in enumerate(rows):
            s = r.stored or stored_form(Canonical(r.client_id, r.metric, r.amount, r.timestamp, r.warnings,
                                                  r.reasons))
            params.append((first + i, r.raw_id, r.client_id, r.metric, s.amount, s.amount_units, s.ts,
                           s.timestamp, bytes.fromhex(r.normalized_hash), s.warnings, s.reasons,
                           r.mapping_version))
        self._conn.executemany(self._insert_normalized_sql, params)
        inserted = self._inserted("normalized_events", first, len(rows))
        ids: list[Optional[EventId]] = [first + i if first + i in inserted else None for i in range(len(rows))]
        self._conn.executemany(schema.DAILY_UPSERT, daily_totals(
            (p for p, new_id in zip(params, ids) if new_id is not None)))
        return ids

    def find_normalized(self, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
        found: dict[str, tuple[EventId, EventId]] = {}
        for chunk in schema.in_parts(list(hashes)):
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                "SELECT normalized_hash, id, raw_id FROM normalized_events"
                f" WHERE normalized_hash IN ({marks}) ORDER BY id", [bytes.fromhex(h) for h in chunk])
            for digest, normalized_id, raw_id in rows:
                found.setdefault(digest.hex(), (normalized_id, raw_id))
        return found

    def update_raws(self, updates: Sequence[RawUpdate]) -> None:
        delta: dict[str, int] = {}
        for chunk in schema.in_parts([u.id for u in updates]):
            for status, count in self._conn.execute(
                    f"SELECT status, count(*) FROM raw_events WHERE id IN ({','.join('?' * len(chunk))})"
                    " GROUP BY status", chunk):
                delta[status] = delta.get(status, 0) - count
        for u in updates:
            delta[u.status] = delta.get(u.status, 0) + 1
        self._conn.executemany(schema.STATUS_COUNT_ADD, [(s, n) for s, n in delta.items() if n])
        self._conn.executemany(
            "UPDATE raw_events SET status = ?, attempts = ?, error = ?, duplicate_of = ?,"
            " updated_at = ?, reasons = ? WHERE id = ?",
            [(u.status, u.attempts, u.error, u.duplicate_of, u.updated_at, u.reasons, u.id)
             for u in updates])

    def add_receipts(self, counts: dict[EventId, int]) -> None:
        self._conn.executemany(schema.RECEIPTS_ADD, [(n, raw_id) for raw_id, n in counts.items()])

    def ingest_rows(self, rows: Batch, now: str, mapping_version: Optional[int],
                    details: bool = False) -> Optional[BulkCounts]:
        self._attached = self._attached or is_staged(rows)
        return bulk.ingest_rows(self._conn, self._unique, rows, now, mapping_version, details)

    def _detach(self) -> None:
        """Chunk files attached in the transaction can only be let go once it has ended."""
        if self._attached:
            self._attached = False
            for _, name, _ in self._conn.execute("PRAGMA database_list").fetchall():
                if name.startswith(bulk.CHUNK):
                    self._conn.execute(f"DETACH DATABASE {name}")

    def mark(self, token: str) -> None:
        now = datetime.now(timezone.utc)
        self._conn.execute("INSERT INTO commit_marks(token, written_at) VALUES (?, ?)",
                           (token, now.isoformat()))
        if token[-2:] == "00":  # now and then, forget marks nobody will ask about any more
            self._conn.execute("DELETE FROM commit_marks WHERE written_at < ?",
                               ((now - MARKS_KEPT).isoformat(),))

    def commit(self) -> None:
        self._conn.execute("COMMIT")
        self._committed = True
        self._detach()
