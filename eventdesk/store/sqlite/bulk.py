"""Bulk ingest in SQL: a batch of rows (``core.rows``) written with both levels of deduplication
done by the unique indexes, in a handful of statements per part.

A batch's parts are the chunk files its workers wrote (attached, and written one by one as
each becomes ready, so the writer works while the workers still prepare the rest) or, for
rows, a TEMP staging table. From each part one ``INSERT OR IGNORE ... SELECT``
writes the raw events and one the normalized events, in input order, so the first occurrence
wins exactly as on the general path. A row's ids are fixed by its place in the batch
(``base + rowid - 1``), so which rows the indexes refused is read back with primary-key
lookups, and only those (the duplicates) are looked up by hash. Status counts and day totals
are grouped in SQL once per batch. Python does nothing per event.

A batch that holds a re-send of a stored event still to be processed (``failed``, ``pending``
...) is not for this path: ``ingest_rows`` returns None and the caller rolls back and takes the
general one.
"""
from __future__ import annotations

import dataclasses
import sqlite3
from typing import Iterator, Optional, Sequence, cast

from eventdesk.core.model import SETTLED_STATUSES, Status
from eventdesk.core.ports.events import BulkCounts, BulkDetails
from eventdesk.core.rows import COLUMNS, Batch, Row, count_of, is_staged
from eventdesk.store.sqlite import chunks, schema

STAGE = "eventdesk_stage"
CHUNK = "eventdesk_chunk"  # chunk files are attached as eventdesk_chunk0, 1, ... (detached after commit)
#: Page cache of a connection that bulk-ingests, in KiB (allocated only as pages are read). The
#: four random-key indexes of a store of ~1M events span ~150 MB; with 64 MiB most inserts
#: miss the cache (32.5k events/s measured), with 256 MiB they fit up to ~2M events.
BULK_CACHE_KIB = 256 * 1024
#: The most of a chunk file read through a memory map (a chunk of 12,500 rows is ~5 MB).
CHUNK_MAP_BYTES = 64 << 20
_CREATE_STAGE = (f"CREATE TEMP TABLE IF NOT EXISTS {STAGE}(content_hash BLOB, body, source TEXT, status TEXT,"
                 " error TEXT, reasons TEXT, nhash BLOB, client_id TEXT, metric TEXT, amount TEXT,"
                 " amount_units INTEGER, ts INTEGER, timestamp TEXT, warnings TEXT, nreasons TEXT)")
_STAGE_ROWS = f"INSERT INTO {STAGE}({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
# OR IGNORE, not ON CONFLICT(...) DO NOTHING: the upsert form seeks each unique index twice
# (measured: writer 25 % slower at 1M events). OR IGNORE would also skip a row for a NOT NULL
# violation, so every part's rows are accounted for exactly (``_refused_otherwise``).
_RAWS = (
    "INSERT OR IGNORE INTO raw_events(id, source, body, status, content_hash, error, attempts, receipts,"
    " received_at, updated_at, reasons)"
    " SELECT :rb + rowid - 1, source, body, status, content_hash, error, 1, 1, :now, :now, reasons"
    " FROM {part} WHERE true ORDER BY rowid")
# rows the raw index refused, with the raw event that holds their content hash
_REFUSED_RAWS = (
    "SELECT s.rowid, r.id, r.status, s.nhash IS NOT NULL"
    " FROM (SELECT rowid, content_hash, nhash FROM {part} s0"
    "       WHERE NOT EXISTS (SELECT 1 FROM raw_events x WHERE x.id = :rb + s0.rowid - 1)) s"
    " JOIN raw_events r INDEXED BY raw_content_hash ON r.content_hash = s.content_hash")
_NORMALIZED = (
    "INSERT OR IGNORE INTO normalized_events(id, raw_id, client_id, metric, amount, amount_units, ts, timestamp,"
    " normalized_hash, warnings, reasons, mapping_version)"
    " SELECT :nb + s.rowid - 1, :rb + s.rowid - 1, client_id, metric, amount, amount_units, ts, timestamp,"
    " nhash, warnings, nreasons, :mv FROM {part} s"
    " WHERE s.nhash IS NOT NULL AND EXISTS (SELECT 1 FROM raw_events x WHERE x.id = :rb + s.rowid - 1)"
    " ORDER BY s.rowid")
# new raw events whose normalized form the index refused: semantic duplicates of its holder
_REFUSED_NORMALIZED = (
    "SELECT :rb + s.rowid - 1, n.id"
    " FROM (SELECT rowid, nhash FROM {part} s0 WHERE s0.nhash IS NOT NULL"
    "       AND EXISTS (SELECT 1 FROM raw_events x WHERE x.id = :rb + s0.rowid - 1)"
    "       AND NOT EXISTS (SELECT 1 FROM normalized_events y WHERE y.id = :nb + s0.rowid - 1)) s"
    " JOIN normalized_events n INDEXED BY normalized_hash ON n.normalized_hash = s.nhash")
_COUNTS_IN = "SELECT count(*), count(*) - count(nhash) FROM {part}"
# what the raw events that refused rows repeat came to: status and normalized event (own or held)
_HOLDERS = ("SELECT r.id, r.status, coalesce((SELECT min(n.id) FROM normalized_events n WHERE n.raw_id = r.id),"
            " r.duplicate_of) FROM raw_events r WHERE r.id IN ({marks})")
_DAY = 86_400_000_000
_SPLIT = schema.SUM_SPLIT
_DAY_TOTALS = f"""
INSERT INTO daily_totals(client_id, metric, day, n, n_amount, n_exotic, sum_high, sum_low, min_units, max_units)
SELECT client_id, metric, day, n, n_amount, n_exotic, h + l / {_SPLIT}, l % {_SPLIT}, lo, hi FROM (
    SELECT client_id, coalesce(metric, '') AS metric,
           CASE WHEN ts IS NULL THEN {schema.NO_DAY}
                ELSE (ts - ((ts % {_DAY}) + {_DAY}) % {_DAY}) / {_DAY} END AS day,
           count(*) AS n, count(amount) AS n_amount,
           sum(amount IS NOT NULL AND amount_units IS NULL) AS n_exotic,
           -- each part's sum stays far inside int64 (a batch holds far fewer than 2**31 rows)
           coalesce(sum(amount_units / {_SPLIT}), 0) AS h, coalesce(sum(amount_units % {_SPLIT}), 0) AS l,
           min(amount_units) AS lo, max(amount_units) AS hi
    -- NOT INDEXED: else the planner walks the whole client/metric index to skip a sort, which
    -- made every batch cost in proportion to the store (the new rows are a rowid range)
    FROM normalized_events NOT INDEXED WHERE id >= :nb GROUP BY 1, 2, 3
) WHERE true
""" + schema.DAILY_UPSERT[schema.DAILY_UPSERT.index("ON CONFLICT"):]


def ingest_rows(conn: sqlite3.Connection, unique: bool, rows: Batch, now: str,
                mapping_version: Optional[int], details: bool = False) -> Optional[BulkCounts]:
    """Write a batch of rows inside the caller's transaction; None: take the general path.

    Staged chunks are written one by one as they become ready (``core.rows.StreamedBatch``),
    each read where its worker left it (attached); rows are bound into a TEMP staging table.
    The ids of a row are fixed by its place in the batch, whichever part it is in. With
    ``details``, which row became what is kept too (its duplicates only: the rest follow)."""
    conn.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    rb = first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM raw_events").fetchone()[0]
    nb = first_normalized = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM normalized_events").fetchone()[0]
    total = _Counts(details)
    for part, count in _parts(conn, rows):
        if not _write_part(conn, unique, part, rb, nb, first, now, mapping_version, total):
            return None
        rb, nb = rb + count, nb + count
    conn.execute(_DAY_TOTALS, {"nb": first_normalized})
    rejected = total.rejected_staged - total.refused_rejected
    new_valid = count_of(rows) - total.refused - rejected
    counts = BulkCounts(accepted=new_valid - total.semantic, duplicate=total.refused,
                        semantic_duplicate=total.semantic, rejected=rejected)
    added = {Status.NORMALIZED.value: counts.accepted, Status.DUPLICATE.value: counts.semantic_duplicate,
             Status.REJECTED.value: counts.rejected}
    conn.executemany(schema.STATUS_COUNT_ADD, [(s, n) for s, n in added.items() if n])
    if total.repeats is None:
        return counts
    return dataclasses.replace(counts, details=BulkDetails(first, first_normalized, total.repeats, total.equals,
                                                           _holders(conn, set(total.repeats.values()))))


class _Counts:
    def __init__(self, details: bool) -> None:
        self.refused = self.refused_rejected = self.semantic = self.rejected_staged = 0
        # with details: row -> the raw event it repeats; row -> the normalized event it equals
        self.repeats: Optional[dict[int, int]] = {} if details else None
        self.equals: dict[int, int] = {}


def _holders(conn: sqlite3.Connection, raw_ids: set[int]) -> dict[int, tuple[str, Optional[int]]]:
    found: dict[int, tuple[str, Optional[int]]] = {}
    for part in schema.in_parts(sorted(raw_ids)):
        for raw_id, status, normalized_id in conn.execute(_HOLDERS.format(marks=",".join("?" * len(part))), part):
            found[raw_id] = (status, normalized_id)
    return found


def _parts(conn: sqlite3.Connection, rows: Batch) -> Iterator[tuple[str, int]]:
    """The tables the batch's rows are in, with their row counts, each when it is ready."""
    if not is_staged(rows):
        conn.execute(_CREATE_STAGE)
        conn.execute(f"DELETE FROM {STAGE}")
        conn.executemany(_STAGE_ROWS, cast(Sequence[Row], rows))
        yield STAGE, len(rows)
        return
    for n, chunk in enumerate(cast(Sequence[chunks.ChunkFile], rows)):  # waits for each chunk
        conn.execute("ATTACH DATABASE ? AS ?", (chunk.path, f"{CHUNK}{n}"))
        # each part is read five times: from memory (mapped), not through a small page cache
        conn.execute(f"PRAGMA {CHUNK}{n}.mmap_size={CHUNK_MAP_BYTES}")
        yield f"{CHUNK}{n}.{chunks.TABLE}", chunk.count


def _write_part(conn: sqlite3.Connection, unique: bool, part: str, rb: int, nb: int, first: int,
                now: str, mapping_version: Optional[int], total: _Counts) -> bool:
    """One part of a batch, its first raw id ``rb`` (the batch's: ``first``); False: not for
    this path (a re-send of a stored event still to be processed)."""
    count, rejected = conn.execute(_COUNTS_IN.format(part=part)).fetchone()
    inserted = conn.execute(_RAWS.format(part=part), {"rb": rb, "now": now}).rowcount
    receipts: dict[int, int] = {}
    refused = refused_rejected = 0
    for seq, raw_id, status, valid in conn.execute(_REFUSED_RAWS.format(part=part), {"rb": rb}):
        if raw_id < first and valid and status not in SETTLED_STATUSES:
            return False
        if total.repeats is not None:
            total.repeats[rb - first + seq - 1] = raw_id
        receipts[raw_id] = receipts.get(raw_id, 0) + 1
        refused += 1
        refused_rejected += not valid
    _refused_otherwise("raw", count, inserted + refused)
    if receipts:
        conn.executemany(schema.RECEIPTS_ADD, [(n, raw_id) for raw_id, n in receipts.items()])
    normalized = conn.execute(_NORMALIZED.format(part=part), {"rb": rb, "nb": nb, "mv": mapping_version}).rowcount
    duplicates = conn.execute(_REFUSED_NORMALIZED.format(part=part), {"rb": rb, "nb": nb}).fetchall() if unique else []
    _refused_otherwise("normalized", count - rejected - (refused - refused_rejected), normalized + len(duplicates))
    if duplicates:
        conn.executemany(f"UPDATE raw_events SET status = '{Status.DUPLICATE.value}', duplicate_of = ?,"
                         " updated_at = ? WHERE id = ?", [(holder, now, raw_id) for raw_id, holder in duplicates])
    total.refused += refused
    total.refused_rejected += refused_rejected
    total.semantic += len(duplicates)
    if total.repeats is not None:
        total.equals.update((raw_id - first, holder) for raw_id, holder in duplicates)
    total.rejected_staged += rejected
    return True


def _refused_otherwise(table: str, expected: int, accounted: int) -> None:
    """Every row is inserted or refused by its hash; anything else (a NOT NULL that OR IGNORE
    skipped) is a defect: the batch is rolled back and said, never counted as stored."""
    if accounted != expected:
        raise sqlite3.IntegrityError(f"bulk ingest: {expected - accounted} of {expected} rows for {table}_events"
                                     " were refused by something other than their hash")
