"""Read queries of the SQLite store: tables with filters and keyset paging, stats, aggregates.

Every value from a user arrives as a bound parameter; column names come from whitelists.
Sorting by amount uses exact units where they exist and the amount as a double (times 10**4)
where they do not (finer than 10**-4 or beyond the units' range): SQLite compares INTEGER and
REAL by value, so the order is exact except that an amount without units ties with any amount
equal to it in double precision (about 15 significant digits), and such ties fall back to id order.
"""
from __future__ import annotations

import json
import re
import sqlite3
from decimal import Decimal
from typing import Any, Optional, Sequence

from eventdesk.core.aggregation import (
    DAY_US,
    GroupKey,
    Partial,
    day_range,
    epoch_micros,
    from_units,
    merge_rows,
    row_from_units,
    rows_from_partials,
)
from eventdesk.core.model import ALL_STATUSES, EventId, NormalizedEvent, RawEvent, reasons_from_json
from eventdesk.core.queries import (
    NORMALIZED_SORT_COLUMNS,
    RAW_SORT_COLUMNS,
    AggregateQuery,
    AggregateRow,
    NormalizedQuery,
    Page,
    RawQuery,
    Stats,
)
from eventdesk.store.sqlite.schema import NO_DAY, SUM_SPLIT, in_parts, joined_sum

RAW_COLUMNS = ("r.id, r.source, r.body, r.status, r.content_hash, r.error, r.attempts, r.receipts,"
               " r.received_at, r.updated_at, r.duplicate_of,"
               " (SELECT n.id FROM normalized_events n WHERE n.raw_id = r.id), r.reasons")
NORMALIZED_COLUMNS = ("id, raw_id, client_id, metric, amount, timestamp, normalized_hash, warnings,"
                      " reasons, mapping_version")
_HASH = re.compile(r"[0-9a-f]{64}")
_AMOUNT_KEY_SQL = "coalesce(amount_units, CAST(amount AS REAL) * 10000)"  # NULL only without amount
_RAW_SORT_SQL = {c: f"r.{c}" for c in RAW_SORT_COLUMNS}
_NORMALIZED_SORT_SQL = {**{c: c for c in NORMALIZED_SORT_COLUMNS}, "amount": _AMOUNT_KEY_SQL,
                        "timestamp": "ts", "warnings": "json_extract(warnings, '$[0]')"}


def raw_from_row(row: Sequence[Any]) -> RawEvent:
    return RawEvent(id=row[0], source=row[1], text=row[2], status=row[3], content_hash=row[4].hex(),
                    error=row[5], attempts=row[6], receipts=row[7], received_at=row[8],
                    updated_at=row[9], duplicate_of=row[10], normalized_id=row[11],
                    reasons=reasons_from_json(row[12]))


def normalized_from_row(row: Sequence[Any]) -> NormalizedEvent:
    return NormalizedEvent(id=row[0], raw_id=row[1], client_id=row[2], metric=row[3], amount=row[4],
                           timestamp=row[5], normalized_hash=row[6].hex(),
                           warnings=json.loads(row[7]) if row[7] else [],
                           reasons=reasons_from_json(row[8]), mapping_version=row[9])


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _raw_where(query: RawQuery) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.statuses:
        clauses.append(f"r.status IN ({','.join('?' * len(query.statuses))})")
        params.extend(query.statuses)
    if query.source is not None:
        clauses.append("r.source = ?")
        params.append(query.source)
    if query.text:
        text = query.text.strip()
        if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
            clauses.append("r.content_hash = ?")
            params.append(bytes.fromhex(text))
        else:
            clauses.append("(r.body LIKE ? ESCAPE '\\' OR r.error LIKE ? ESCAPE '\\')")
            params.extend([_like(text)] * 2)
    if query.received_from is not None:
        clauses.append("r.received_at >= ?")
        params.append(_iso(query.received_from))
    if query.received_to is not None:
        clauses.append("r.received_at < ?")
        params.append(_iso(query.received_to))
    if query.has_warnings:
        clauses.append("EXISTS (SELECT 1 FROM normalized_events n WHERE n.raw_id = r.id AND n.warnings IS NOT NULL)")
    return clauses, params


def _iso(moment: Any) -> str:
    from datetime import timezone

    from eventdesk.core.canonical import timestamp_text
    return timestamp_text(moment.astimezone(timezone.utc))


def _normalized_where(query: NormalizedQuery) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.client_id is not None:
        clauses.append("client_id = ?")
        params.append(query.client_id)
    if query.metric is not None:
        clauses.append("metric = ?")
        params.append(query.metric)
    if query.time_from is not None:
        clauses.append("ts >= ?")
        params.append(epoch_micros(query.time_from))
    if query.time_to is not None:
        clauses.append("ts < ?")
        params.append(epoch_micros(query.time_to))
    if query.has_warnings:
        clauses.append("warnings IS NOT NULL")  # stored NULL when there are none
    return clauses, params


def _keyset(column: str, id_column: str, page: Page) -> tuple[list[str], list[Any], str]:
    """WHERE clauses after the page's cursor, and ORDER BY, with NULLs first ascending."""
    direction = "DESC" if page.descending else "ASC"
    order = f"{column} {direction}, {id_column} {direction}"
    if page.after is None:
        return [], [], order
    value, last_id = page.after
    if not page.descending:
        if value is None:
            return [f"(({column} IS NULL AND {id_column} > ?) OR {column} IS NOT NULL)"], [last_id], order
        return [f"({column} > ? OR ({column} = ? AND {id_column} > ?))"], [value, value, last_id], order
    if value is None:
        return [f"({column} IS NULL AND {id_column} < ?)"], [last_id], order
    return [f"({column} < ? OR ({column} = ? AND {id_column} < ?) OR {column} IS NULL)"], \
        [value, value, last_id], order


def normalized_holders(conn: sqlite3.Connection, hashes: Sequence[str]) -> dict[str, tuple[EventId, EventId]]:
    """normalized_hash -> (normalized id, raw id); text that is no hash matches nothing."""
    wanted = [bytes.fromhex(h) for h in dict.fromkeys(h.lower() for h in hashes) if _HASH.fullmatch(h)]
    found: dict[str, tuple[EventId, EventId]] = {}
    for chunk in in_parts(wanted):
        rows = conn.execute("SELECT normalized_hash, id, raw_id FROM normalized_events WHERE normalized_hash"
                            f" IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk)
        for digest, normalized_id, raw_id in rows:
            found.setdefault(digest.hex(), (normalized_id, raw_id))
    return found


def query_raw(conn: sqlite3.Connection, query: RawQuery, page: Page) -> list[RawEvent]:
    column = _RAW_SORT_SQL.get(page.sort)
    if column is None:
        raise ValueError(f"cannot sort raw events by {page.sort!r}")
    clauses, params = _raw_where(query)
    after = page.after
    if after is not None and page.sort == "content_hash" and isinstance(after[0], str):
        page = Page(page.sort, page.descending, (bytes.fromhex(after[0]), after[1]), page.limit)
    more, more_params, order = _keyset(column, "r.id", page)
    where = " AND ".join(clauses + more) or "1"
    sql = f"SELECT {RAW_COLUMNS} FROM raw_events r WHERE {where} ORDER BY {order} LIMIT ?"
    return [raw_from_row(row) for row in conn.execute(sql, params + more_params + [page.limit])]


def count_raw(conn: sqlite3.Connection, query: RawQuery) -> int:
    clauses, params = _raw_where(query)
    where = " AND ".join(clauses) or "1"
    return conn.execute(f"SELECT count(*) FROM raw_events r WHERE {where}", params).fetchone()[0]


def query_normalized(conn: sqlite3.Connection, query: NormalizedQuery, page: Page) -> list[NormalizedEvent]:
    column = _NORMALIZED_SORT_SQL.get(page.sort)
    if column is None:
        raise ValueError(f"cannot sort normalized events by {page.sort!r}")
    clauses, params = _normalized_where(query)
    if page.after is not None and page.sort in ("amount", "timestamp"):
        key = _sort_key_value(conn, page.sort, page.after[0])
        page = Page(page.sort, page.descending, (key, page.after[1]), page.limit)
    more, more_params, order = _keyset(column, "id", page)
    where = " AND ".join(clauses + more) or "1"
    sql = f"SELECT {NORMALIZED_COLUMNS} FROM normalized_events WHERE {where} ORDER BY {order} LIMIT ?"
    return [normalized_from_row(r) for r in conn.execute(sql, params + more_params + [page.limit])]


def _sort_key_value(conn: sqlite3.Connection, sort: str, value: Any) -> Any:
    """The stored sort key of a displayed value (amount text -> units or double, timestamp text -> µs)."""
    if value is None:
        return None
    from datetime import datetime

    from eventdesk.core.aggregation import amount_units
    from eventdesk.core.canonical import amount_text
    try:
        if sort == "amount":
            amount = Decimal(str(value))
            if not amount.is_finite():
                raise ValueError("not finite")
            # SQLite computes the key exactly as for the stored canonical text, so no row is skipped
            return conn.execute(f"SELECT {_AMOUNT_KEY_SQL} FROM (SELECT ? AS amount_units, ? AS amount)",
                                (amount_units(amount), amount_text(amount))).fetchone()[0]
        return epoch_micros(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except (ArithmeticError, ValueError) as exc:
        raise ValueError(f"not a page cursor for {sort}: {value!r}") from exc


def count_normalized(conn: sqlite3.Connection, query: NormalizedQuery) -> int:
    clauses, params = _normalized_where(query)
    where = " AND ".join(clauses) or "1"
    return conn.execute(f"SELECT count(*) FROM normalized_events WHERE {where}", params).fetchone()[0]


def raw_by_status(conn: sqlite3.Connection, statuses: Sequence[str], after_id: Optional[EventId],
                  limit: int, updated_before: Optional[str]) -> list[RawEvent]:
    params: list[Any] = list(statuses) + [after_id if after_id is not None else 0]
    extra = ""
    if updated_before is not None:
        extra = " AND r.updated_at < ?"
        params.append(updated_before)
    sql = (f"SELECT {RAW_COLUMNS} FROM raw_events r WHERE r.status IN ({','.join('?' * len(statuses))})"
           f" AND r.id > ?{extra} ORDER BY r.id LIMIT ?")
    return [raw_from_row(row) for row in conn.execute(sql, params + [limit])]


def stats(conn: sqlite3.Connection) -> Stats:
    by_status = {status: 0 for status in ALL_STATUSES}
    for status, count in conn.execute("SELECT status, n FROM status_counts"):  # kept by every write
        by_status[status] = count
    normalized = conn.execute("SELECT coalesce(sum(n), 0) FROM daily_totals").fetchone()[0]
    exact = conn.execute(
        "SELECT coalesce(sum(receipts - 1), 0) FROM raw_events WHERE receipts > 1").fetchone()[0]
    return Stats(raw_total=sum(by_status.values()), by_status=by_status, normalized=normalized,
                 exact_duplicates=exact, semantic_duplicates=by_status["duplicate"])


def per_client(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Raw events per source and status (rejected events without a source under '')."""
    result: dict[str, dict[str, int]] = {}
    for source, status, count in conn.execute(
            "SELECT coalesce(source, ''), status, count(*) FROM raw_events GROUP BY source, status"):
        result.setdefault(source, {})[status] = count
    return result


def received_per_bucket(conn: sqlite3.Connection, bucket: str) -> list[tuple[str, int]]:
    width = {"minute": 16, "hour": 13, "day": 10}.get(bucket)
    if width is None:
        raise ValueError("bucket must be minute, hour or day")
    rows = conn.execute(f"SELECT substr(received_at, 1, {width}) AS b, count(*) FROM raw_events"
                        " GROUP BY b ORDER BY b")
    return [(b, n) for b, n in rows]


def distinct_values(conn: sqlite3.Connection, field: str) -> list[str]:
    if field == "source":
        sql = "SELECT DISTINCT source FROM raw_events WHERE source IS NOT NULL ORDER BY source"
    elif field == "client_id":
        sql = "SELECT DISTINCT client_id FROM daily_totals ORDER BY client_id"
    elif field == "metric":
        sql = "SELECT DISTINCT metric FROM daily_totals WHERE metric != '' ORDER BY metric"
    else:
        raise ValueError(f"no distinct values for {field!r}")
    return [r[0] for r in conn.execute(sql)]


# -- aggregates: whole days from daily_totals, partial days from normalized_events

def aggregates(conn: sqlite3.Connection, query: AggregateQuery) -> list[AggregateRow]:
    partials: dict[GroupKey, Partial] = {}
    first, end, edges = day_range(query.time_from, query.time_to)
    filters, params = _group_filters(query, "client_id", "metric")
    timed = query.time_from is not None or query.time_to is not None
    if first != end or first is None or end is None:
        day_clauses, day_params = _day_clauses(first, end, timed)
        where = " AND ".join(filters + day_clauses) or "1"
        # buckets are formed in SQL, so Python only merges what the answer will show
        rows = conn.execute(
            f"SELECT client_id, metric, {_BUCKET_SQL[query.bucket]} AS b, sum(n), sum(n_amount),"
            " sum(n_exotic), sum(sum_high), sum(sum_low), min(min_units), max(max_units)"
            f" FROM daily_totals WHERE {where} GROUP BY client_id, metric, b"
            f" ORDER BY client_id, metric = '', metric, b = {NO_DAY}, b", params + day_params).fetchall()
        rows = [row[:6] + (joined_sum(row[6], row[7]),) + row[8:] for row in rows]
        if not edges and not any(row[5] for row in rows):  # integers all the way: the fast path
            return [row_from_units(client, metric or None,
                                   None if query.bucket == "none" or start == NO_DAY else start,
                                   n, n_amount, total, low, high)
                    for client, metric, start, n, n_amount, _, total, low, high in rows]
        exotic = []
        for client, metric, start, n, n_amount, n_exotic, total, low, high in rows:
            key_metric = metric or None
            key_day = None if start == NO_DAY else start
            partials.setdefault((client, key_metric, key_day), Partial()).add(
                n, n_amount - n_exotic, from_units(total) or Decimal(0), from_units(low), from_units(high))
            if n_exotic:
                exotic.append((client, metric))
        if exotic:
            _add_exotic_days(conn, partials, exotic, first, end, timed)
    for lo, hi in edges:
        merge_rows(partials, _edge_rows(conn, list(query.clients), list(query.metrics), lo, hi))
        merge_rows(partials, _exact_rows(conn, list(query.clients), list(query.metrics), lo, hi))
    return rows_from_partials(partials, query.bucket)


def _day_clauses(first: Optional[int], end: Optional[int], timed: bool) -> tuple[list[str], list[Any]]:
    """Clauses on daily_totals.day for whole days [first, end); a time range leaves out no-day."""
    clauses: list[str] = []
    params: list[Any] = []
    if first is not None:
        clauses.append("day >= ?")
        params.append(first)
    if end is not None:
        clauses.append("day < ?")
        params.append(end)
    if timed:
        clauses.append(f"day != {NO_DAY}")
    return clauses, params


_BUCKET_SQL = {
    "none": "0",  # one row per client and metric, events without a timestamp included
    "day": "day",
    "week": f"CASE WHEN day = {NO_DAY} THEN {NO_DAY} ELSE day - ((day + 3) % 7 + 7) % 7 END",
    "month": f"CASE WHEN day = {NO_DAY} THEN {NO_DAY} ELSE CAST(julianday(date(day * 86400, 'unixepoch',"
             " 'start of month')) - 2440587.5 AS INTEGER) END",
}


def _add_exotic_days(conn: sqlite3.Connection, partials: dict[GroupKey, Partial],
                     groups: list[tuple[str, str]], first: Optional[int], end: Optional[int],
                     timed: bool) -> None:
    """Add the exact amounts the day totals could not hold, for the whole days of the query."""
    for client, metric in set(groups):
        day_clauses, day_params = _day_clauses(first, end, timed)
        clauses = ["client_id = ?", "metric = ?", "n_exotic > 0"] + day_clauses
        params: list[Any] = [client, metric] + day_params
        days: list[int] = [d for (d,) in conn.execute(
            f"SELECT day FROM daily_totals WHERE {' AND '.join(clauses)}", params)]
        for day in days:
            lo = None if day == NO_DAY else day * DAY_US
            merge_rows(partials, _exact_rows(conn, [client], [metric or None], lo,
                                             None if lo is None else lo + DAY_US,
                                             no_time=day == NO_DAY))


def _group_filters(query: AggregateQuery, client_col: str, metric_col: str) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.clients:
        clauses.append(f"{client_col} IN ({','.join('?' * len(query.clients))})")
        params.extend(query.clients)
    if query.metrics:
        clauses.append(f"{metric_col} IN ({','.join('?' * len(query.metrics))})")
        params.extend(query.metrics)
    return clauses, params


def _event_filters(clients: list[str], metrics: list[Optional[str]], lo: Optional[int],
                   hi: Optional[int], no_time: bool) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if clients:
        clauses.append(f"client_id IN ({','.join('?' * len(clients))})")
        params.extend(clients)
    if metrics:
        named = [m for m in metrics if m is not None]
        parts = []
        if named:
            parts.append(f"metric IN ({','.join('?' * len(named))})")
            params.extend(named)
        if None in metrics:
            parts.append("metric IS NULL")
        clauses.append("(" + " OR ".join(parts) + ")")
    if no_time:
        clauses.append("ts IS NULL")
    if lo is not None:
        clauses.append("ts >= ?")
        params.append(lo)
    if hi is not None:
        clauses.append("ts < ?")
        params.append(hi)
    return " AND ".join(clauses) or "1", params


# sum(amount_units) would overflow int64 past ~10**6 large amounts: sum the two parts instead
_SUM_UNITS_SQL = f"sum(amount_units / {SUM_SPLIT}), sum(amount_units % {SUM_SPLIT})"
_DAY_OF_TS = "(ts - ((ts % 86400000000) + 86400000000) % 86400000000) / 86400000000"  # floor


def _edge_rows(conn: sqlite3.Connection, clients: list[str], metrics: list[Optional[str]],
               lo: Optional[int], hi: Optional[int]) -> list[tuple]:
    """Day groups of a partial day, summed by SQL; exotic amounts are added by _exact_rows."""
    where, params = _event_filters(clients, metrics, lo, hi, no_time=False)
    rows = conn.execute(
        f"SELECT client_id, metric, {_DAY_OF_TS} AS day, count(*), count(amount_units),"
        f" {_SUM_UNITS_SQL}, min(amount_units), max(amount_units) FROM normalized_events"
        f" WHERE {where} GROUP BY client_id, metric, day", params)
    return [(c, m, d, n, k, from_units(joined_sum(high_sum, low_sum)), from_units(low), from_units(high))
            for c, m, d, n, k, high_sum, low_sum, low, high in rows]


def _exact_rows(conn: sqlite3.Connection, clients: list[str], metrics: list[Optional[str]],
                lo: Optional[int], hi: Optional[int], no_time: bool = False) -> list[tuple]:
    """Amounts without exact units, summed as Decimal: (client, metric, day, 0, n, sum, min, max)."""
    where, params = _event_filters(clients, metrics, lo, hi, no_time)
    groups: dict[GroupKey, Partial] = {}
    for client, metric, ts, amount in conn.execute(
            "SELECT client_id, metric, ts, amount FROM normalized_events"
            f" WHERE {where} AND amount IS NOT NULL AND amount_units IS NULL", params):
        value = Decimal(amount)
        key = (client, metric, None if ts is None else ts // DAY_US)
        groups.setdefault(key, Partial()).add(0, 1, value, value, value)
    return [(c, m, d, p.count, p.amounts, p.total, p.low, p.high) for (c, m, d), p in groups.items()]
