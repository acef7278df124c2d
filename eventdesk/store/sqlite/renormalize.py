"""Re-normalization on SQLite: the ``RenormalizeUnit`` of ``core.ports.renormalize``.

A ``SqliteUnitOfWork`` (so inserts keep ``daily_totals`` and raw updates keep ``status_counts``
exactly as every write does) with deletes and hand-overs of normalized events, and the
``renormalize_runs`` table (progress and audit), written in the chunk's own transaction. The
table and an index on ``raw_events.duplicate_of`` are created on first use, inside it.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any, Optional

from eventdesk.core.aggregation import DAY_US
from eventdesk.core.model import Canonical, EventId, Status
from eventdesk.core.ports import NewNormalized, RawUpdate
from eventdesk.core.ports.renormalize import RenormalizeItem, RenormalizeRun, RenormalizeScope
from eventdesk.core.stored import stored_form
from eventdesk.store.sqlite import schema
from eventdesk.store.sqlite.unit_of_work import SqliteUnitOfWork, daily_totals

RUNS = "renormalize_runs"
_CREATE = schema.RENORMALIZE_TABLES  # part of the schema since version 4; kept for older builds' stores
_RUN_COLUMNS = "run_id, mapping_version, scope, started_at, started_by, state, last_raw_id, finished_at, counts"


def chunk_sql(clauses: list[str]) -> str:
    """The next chunk in raw-id order: a walk along the primary key that stops after LIMIT rows.

    NOT INDEXED: through the status or source index SQLite sorted every later row for each chunk,
    which made a run quadratic in the store's size."""
    return ("SELECT r.id, r.body, r.status, r.attempts, coalesce(n.id, h.id),"
            " coalesce(n.normalized_hash, h.normalized_hash), n.warnings"
            " FROM raw_events r NOT INDEXED LEFT JOIN normalized_events n ON n.raw_id = r.id AND r.status = 'normalized'"
            " LEFT JOIN normalized_events h ON h.id = r.duplicate_of AND r.status = 'duplicate'"
            f" WHERE {' AND '.join(clauses)} ORDER BY r.id LIMIT ?")


class SqliteRenormalizeUnit(SqliteUnitOfWork):
    def __enter__(self) -> "SqliteRenormalizeUnit":
        super().__enter__()
        for statement in _CREATE:
            self._conn.execute(statement)
        return self

    def scope_chunk(self, scope: RenormalizeScope, after_id: Optional[EventId],
                    limit: int) -> list[RenormalizeItem]:
        clauses = ["r.id > ?", "((r.status = 'normalized' AND n.id IS NOT NULL)"
                   " OR (r.status = 'duplicate' AND h.id IS NOT NULL))"]
        params: list[Any] = [after_id or 0]
        if scope.client_id is not None:
            clauses.append("coalesce(n.client_id, h.client_id) = ?")
            params.append(scope.client_id)
        if scope.received_from is not None:
            clauses.append("r.received_at >= ?")
            params.append(scope.received_from)
        if scope.received_to is not None:
            clauses.append("r.received_at < ?")
            params.append(scope.received_to)
        rows = self._conn.execute(chunk_sql(clauses), params + [limit]).fetchall()
        return [RenormalizeItem(raw_id, body, status, attempts, nid, digest.hex(),
                                tuple(json.loads(warnings)) if warnings else ())
                for raw_id, body, status, attempts, nid, digest, warnings in rows]

    def first_duplicate(self, normalized_id: EventId) -> Optional[EventId]:
        row = self._conn.execute("SELECT min(id) FROM raw_events WHERE duplicate_of = ? AND status = ?",
                                 (normalized_id, Status.DUPLICATE.value)).fetchone()
        return row[0] if row else None

    def hand_over(self, normalized_id: EventId, raw_id: EventId, now: str) -> None:
        attempts = self._conn.execute("SELECT attempts FROM raw_events WHERE id = ?", (raw_id,)).fetchone()[0]
        self.update_raws([RawUpdate(raw_id, Status.NORMALIZED.value, attempts, None, None, now)])
        self._conn.execute("UPDATE normalized_events SET raw_id = ? WHERE id = ?", (raw_id, normalized_id))

    def delete_normalized(self, normalized_id: EventId) -> None:
        row = self._conn.execute("SELECT client_id, metric, amount, amount_units, ts FROM normalized_events"
                                 " WHERE id = ?", (normalized_id,)).fetchone()
        if row is None:
            return
        groups = daily_totals([(None, None, *row)])
        taken_away = [key[:3] + tuple(-v for v in key[3:8]) + (None, None) for key in groups]
        self._conn.executemany(schema.DAILY_UPSERT, taken_away)
        self._conn.execute("DELETE FROM normalized_events WHERE id = ?", (normalized_id,))
        for client, metric, day, *_ in groups:
            self._settle_day(client, metric, day, row[3])

    def _settle_day(self, client: str, metric: str, day: int, units: Optional[int]) -> None:
        """After a delete of an event with ``units``: drop an emptied day; min and max are found
        anew (they cannot be subtracted) only where the event held one of them: else the events
        that hold them are still there (reading a day's events for every delete was 38% of a
        1M-event run)."""
        key = (client, metric, day)
        left = self._conn.execute("SELECT n, min_units, max_units FROM daily_totals WHERE client_id = ?"
                                  " AND metric = ? AND day = ?", key).fetchone()
        if left is None or left[0] == 0:
            self._conn.execute("DELETE FROM daily_totals WHERE client_id = ? AND metric = ? AND day = ?", key)
            return
        if units is None or (left[1] is not None and left[2] is not None and left[1] < units < left[2]):
            return
        when, span = ("ts IS NULL", ()) if day == schema.NO_DAY else ("ts >= ? AND ts < ?",
                                                                      (day * DAY_US, (day + 1) * DAY_US))
        low, high = self._conn.execute(
            f"SELECT min(amount_units), max(amount_units) FROM normalized_events WHERE client_id = ?"
            f" AND metric IS ? AND {when}", (client, metric or None, *span)).fetchone()
        self._conn.execute("UPDATE daily_totals SET min_units = ?, max_units = ? WHERE client_id = ?"
                           " AND metric = ? AND day = ?", (low, high, *key))

    def rewrite_normalized(self, normalized_id: EventId, row: NewNormalized) -> None:
        s = row.stored or stored_form(Canonical(row.client_id, row.metric, row.amount, row.timestamp,
                                                row.warnings, row.reasons))
        self._conn.execute("UPDATE normalized_events SET warnings = ?, reasons = ?, mapping_version = ?"
                           " WHERE id = ?", (s.warnings, s.reasons, row.mapping_version, normalized_id))

    def latest_run(self) -> Optional[RenormalizeRun]:
        row = self._conn.execute(f"SELECT {_RUN_COLUMNS} FROM {RUNS} ORDER BY run_id DESC LIMIT 1").fetchone()
        return _run(row) if row else None

    def save_run(self, run: RenormalizeRun) -> None:
        self._conn.execute(
            f"INSERT OR REPLACE INTO {RUNS}({_RUN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
            (run.run_id, run.mapping_version, json.dumps(run.scope.to_json()), run.started_at,
             run.started_by, run.state, run.last_raw_id, run.finished_at, json.dumps(run.counts)))


def runs(conn: sqlite3.Connection) -> list[RenormalizeRun]:
    """Every run, oldest first; none on a store that never ran one (read without writing)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (RUNS,)).fetchone() is None:
        return []
    return [_run(row) for row in conn.execute(f"SELECT {_RUN_COLUMNS} FROM {RUNS} ORDER BY run_id")]


def _run(row: tuple) -> RenormalizeRun:
    run_id, version, scope, started_at, started_by, state, last_raw_id, finished_at, counts = row
    return RenormalizeRun(run_id, version, RenormalizeScope.from_json(json.loads(scope)), started_at,
                          started_by, state, last_raw_id, finished_at, json.loads(counts))
