"""The SQLite bulk write path (``store/sqlite/bulk.py``) leaves exactly the store the general path
(``Processor.apply``) leaves: the same raw and normalized rows, ids, statuses, receipts, links,
status counts and day totals, for every kind of line and every batch size."""
from __future__ import annotations

import dataclasses
import io
import json
import sqlite3

import pytest

from eventdesk.core.ingest import IngestSummary, ingest_stream
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.processor import Processor
from eventdesk.core.queries import AggregateQuery
from eventdesk.core.rows import rows_of
from eventdesk.store.sqlite import SqliteStore

CLOCK = "2026-01-01T00:00:00.000000Z"


def line(source, **payload) -> bytes:
    return json.dumps({"source": source, "payload": payload}).encode()


ODD = [
    line("a", metric="m", amount="1.5", timestamp="2024-01-01T10:00:00Z"),
    line("a", metric="m", amount="1.5", timestamp="2024-01-01T10:00:00Z"),        # exact re-send
    line("a", metric="m", amount="1.50", timestamp="2024-01-01T11:00:00+01:00"),  # semantic duplicate
    line("a", metric="m", amount=str(9 * 10**30), timestamp="2024-01-01T10:00:00Z"),  # past int64 units
    line("a", metric="m", amount=str(-9 * 10**30), timestamp="2024-01-02T10:00:00Z"),
    # units near int64's end: three in one day sum past it (the day totals must stay exact)
    line("a", metric="big", amount="900000000000000", timestamp="2024-03-01T01:00:00Z"),
    line("a", metric="big", amount="900000000000000.1", timestamp="2024-03-01T02:00:00Z"),
    line("a", metric="big", amount="900000000000000.2", timestamp="2024-03-01T03:00:00Z"),
    line("a", metric="big", amount="-900000000000000.3", timestamp="2024-03-02T03:00:00Z"),
    line("a", metric="m", amount="0.00001", timestamp="1969-12-31T23:59:59Z"),    # exotic, before 1970
    line("a", metric="m", amount="2"),                                            # no timestamp
    line("a", amount="3", timestamp="2024-01-01"),                                # no metric
    line("b", metric="x", amount="abc", timestamp="yesterday"),                   # warnings
    b"not json",
    b"not json",                                                                  # a re-sent rejection
    b'{"source": 5, "payload": {}}',
    b"[1, 2]",
    "é".encode("latin-1"),                                                       # not UTF-8
]


def store_of(tmp_path, name: str, data: bytes, batch: int, bulk: bool, before: bytes = b"") -> SqliteStore:
    store = SqliteStore(str(tmp_path / f"{name}.db"))
    if not bulk:
        store.bulk_rows = False  # type: ignore[misc]  # the general path, for the comparison
    processor = Processor(store, Normalizer(Mappings.from_json("{}")), clock=lambda: CLOCK, group_commit=False)
    if before:
        processor.apply([processor.prepare(before)], resend=True)
    ingest_stream(io.BytesIO(data), lambda chunks: (rows_of(processor.normalizer, c) for c in chunks),
                  processor.apply_rows, IngestSummary(), batch)
    return store


def content(store: SqliteStore) -> dict:
    """Everything the store holds, with ids replaced by what they stand for (the paths leave
    different gaps between ids), plus the order of the ids."""
    conn = sqlite3.connect(store.path)
    q = conn.execute
    holder = ("(SELECT hex(h.content_hash) FROM normalized_events n JOIN raw_events h ON h.id = n.raw_id"
              " WHERE n.id = r.duplicate_of)")
    tables = {
        "raw": q("SELECT hex(content_hash), source, body, status, error, attempts, receipts, received_at,"
                 f" updated_at, reasons, {holder} FROM raw_events r ORDER BY 1").fetchall(),
        "raw order": q("SELECT hex(content_hash) FROM raw_events ORDER BY id").fetchall(),
        "normalized": q("SELECT hex(r.content_hash), n.client_id, n.metric, n.amount, n.amount_units, n.ts,"
                        " n.timestamp, hex(n.normalized_hash), n.warnings, n.reasons, n.mapping_version"
                        " FROM normalized_events n JOIN raw_events r ON r.id = n.raw_id ORDER BY 1").fetchall(),
        "normalized order": q("SELECT hex(normalized_hash) FROM normalized_events ORDER BY id").fetchall(),
        "status counts": q("SELECT * FROM status_counts WHERE n != 0 ORDER BY status").fetchall(),
        # a sum's two parts may split differently: compare the sum
        "day totals": [r[:6] + (r[6] * 2**32 + r[7],) + r[8:] for r in
                       q("SELECT * FROM daily_totals ORDER BY client_id, metric, day").fetchall()],
    }
    conn.close()
    return tables


@pytest.mark.parametrize("batch", [1, 2, 5, 1000])
def test_the_bulk_path_leaves_the_store_the_general_path_leaves(tmp_path, batch):
    data = b"\n".join(ODD * 3) + b"\n"
    bulk = store_of(tmp_path, "bulk", data, batch, bulk=True)
    general = store_of(tmp_path, "general", data, batch, bulk=False)
    assert content(bulk) == content(general)
    assert bulk.stats() == general.stats()
    big = [r for r in bulk.aggregates(AggregateQuery(metrics=("big",), bucket="day"))]
    assert [r.sum for r in big] == ["2700000000000000.3", "-900000000000000.3"]


def test_generated_history_in_many_batches_is_the_same_on_both_paths(tmp_path, generate):
    events, _truth, _mappings = generate(4000, seed=77)
    data = events.read_bytes()
    assert content(store_of(tmp_path, "bulk", data, 700, bulk=True)) == \
        content(store_of(tmp_path, "general", data, 700, bulk=False))


def test_a_resent_failed_event_is_reprocessed_by_the_general_path(tmp_path):
    failing = line("a", metric="m", amount="4", timestamp="2024-02-01T00:00:00Z")
    data = b"\n".join([ODD[0], failing, ODD[1]]) + b"\n"
    failed_first = failing[:-1] + b', "simulateFailure": true}'  # not the same content: set up by hand
    assert failed_first != failing
    store = SqliteStore(str(tmp_path / "s.db"))
    processor = Processor(store, Normalizer(Mappings.from_json("{}")), group_commit=False)
    from eventdesk.core.faults import FaultPoint
    assert processor.apply([processor.prepare(failing)], FaultPoint.MID_TRANSACTION)[0].status == "failed"
    summary = ingest_stream(io.BytesIO(data), lambda chunks: (rows_of(processor.normalizer, c) for c in chunks),
                            processor.apply_rows, IngestSummary(), 1000)
    assert (summary.accepted, summary.duplicate) == (2, 1)
    stats = store.stats()
    assert stats.by_status["failed"] == 0 and stats.normalized == 2 and stats.raw_total == 2


def test_negative_control_without_unique_indexes_the_bulk_path_counts_twice(tmp_path):
    store = SqliteStore(str(tmp_path / "nodedup.db"), unique_indexes=False)
    processor = Processor(store, Normalizer(Mappings.from_json("{}")), group_commit=False)
    data = b"\n".join(ODD[:3]) + b"\n"
    ingest_stream(io.BytesIO(data), lambda chunks: (rows_of(processor.normalizer, c) for c in chunks),
                  processor.apply_rows, IngestSummary(), 1000)
    assert store.stats().normalized == 3  # the guard is the index: without it one fact counts thrice


def test_no_bulk_statement_reads_in_proportion_to_the_store(tmp_path):
    """Each statement reads the batch's rows and index entries for them, never a whole table or
    index (negative control: without NOT INDEXED, the day totals walked the client/metric index)."""
    from eventdesk.store.sqlite import bulk
    store = store_of(tmp_path, "plans", b"\n".join(ODD) + b"\n", 1000, bulk=True)
    conn = store._conn()
    conn.execute(bulk._CREATE_STAGE)
    params = {"rb": 1, "nb": 1, "now": CLOCK, "mv": 1}
    for name in ("_RAWS", "_REFUSED_RAWS", "_NORMALIZED", "_REFUSED_NORMALIZED", "_DAY_TOTALS"):
        statement = getattr(bulk, name).replace("{part}", bulk.STAGE)
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params)]
        scans = [step for step in plan if step.startswith("SCAN") and bulk.STAGE not in step
                 and not step.startswith(("SCAN s", "SCAN (subquery"))]
        assert not scans, f"{name}: {plan}"
    old = bulk._DAY_TOTALS.replace("NOT INDEXED ", "")  # the negative control: the statement before
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + old, params)]
    assert "SCAN normalized_events USING INDEX normalized_client_metric" in plan


@pytest.mark.parametrize("column", [7, 3])  # client_id of normalized_events, status of raw_events
def test_a_row_refused_for_anything_but_its_hash_is_never_counted_as_stored(tmp_path, column):
    """The bulk statements are INSERT OR IGNORE, which would also skip a row that breaks NOT
    NULL: every row must be inserted or refused by its hash, else the batch fails and says so."""
    store = SqliteStore(str(tmp_path / "s.db"))
    processor = Processor(store, Normalizer(Mappings.from_json("{}")), clock=lambda: CLOCK, group_commit=False)
    rows = rows_of(processor.normalizer, [ODD[0], ODD[3]])
    broken = list(rows[1])
    broken[column] = None  # NOT NULL in the table it goes to
    outcome = processor.apply_rows([rows[0], tuple(broken)])
    assert outcome.counts.get("accepted", 0) == 0, outcome
    assert outcome.counts.get("failed") == 2 and "other than their hash" in (outcome.error or str(outcome))
    assert store.stats().normalized == 0


# -- per-row results (HTTP batches): Processor.submit_rows answers as Processor.apply does

def answers(store: SqliteStore, results) -> list[tuple]:
    """Each result with its ids replaced by what they stand for (content and normalized hashes)."""
    conn = sqlite3.connect(store.path)
    raw = dict(conn.execute("SELECT id, hex(content_hash) FROM raw_events"))
    normalized = dict(conn.execute("SELECT id, hex(normalized_hash) FROM normalized_events"))
    conn.close()
    return [(r.outcome.value, r.status, r.error, r.content_hash, raw.get(r.raw_id, r.raw_id),
             normalized.get(r.normalized_id, r.normalized_id), [x.code for x in r.all_reasons()]) for r in results]


def submitted(tmp_path, name: str, batches: list[list[bytes]], bulk: bool, mappings: str = "{}"):
    store = SqliteStore(str(tmp_path / f"{name}.db"))
    if not bulk:
        store.bulk_rows = False  # type: ignore[misc]
    processor = Processor(store, Normalizer(Mappings.from_json(mappings)), clock=lambda: CLOCK, group_commit=False)
    results = []
    for batch in batches:
        told = processor.submit_rows(rows_of(processor.normalizer, batch))
        assert len(told) == len(batch)
        results += told
    return store, results


@pytest.mark.parametrize("size", [1, 2, 7, 1000])
def test_per_row_results_of_the_bulk_path_are_the_general_paths(tmp_path, size):
    lines = ODD * 3 + ODD[::-1]  # repeats within a batch, across batches, of rejections, semantic ones
    batches = [lines[i:i + size] for i in range(0, len(lines), size)]
    bulk, bulk_results = submitted(tmp_path, "bulk", batches, bulk=True)
    general, general_results = submitted(tmp_path, "general", batches, bulk=False)
    assert answers(bulk, bulk_results) == answers(general, general_results)
    assert content(bulk) == content(general)
    outcomes = {r.outcome.value for r in bulk_results}
    assert outcomes == {"accepted", "duplicate", "semantic_duplicate", "rejected"}
    # ids as stored: every accepted result names its own raw and normalized event
    for result in bulk_results:
        if result.outcome.value == "accepted":
            assert bulk.get_raw(result.raw_id).content_hash == result.content_hash
            assert bulk.get_normalized(result.normalized_id).raw_id == result.raw_id


def test_per_row_results_on_generated_history_with_its_mappings(tmp_path, generate):
    events, truth, mappings = generate(3000, seed=78)
    lines = events.read_bytes().splitlines()
    batches = [lines[i:i + 400] for i in range(0, len(lines), 400)]
    text = mappings.read_text()
    bulk, bulk_results = submitted(tmp_path, "bulk", batches, bulk=True, mappings=text)
    general, general_results = submitted(tmp_path, "general", batches, bulk=False, mappings=text)
    assert answers(bulk, bulk_results) == answers(general, general_results)
    assert content(bulk) == content(general)
    assert bulk.stats().normalized == truth["normalized"]
    assert {r.outcome.value for r in bulk_results} >= {"accepted", "duplicate", "semantic_duplicate", "rejected"}


def test_negative_control_results_that_ignored_the_store_would_be_caught(tmp_path):
    """``answers`` compares what each id stands for: a result naming the wrong event differs."""
    bulk, results = submitted(tmp_path, "bulk", [ODD[:3]], bulk=True)
    assert [r.outcome.value for r in results] == ["accepted", "duplicate", "semantic_duplicate"]
    wrong = [results[0], dataclasses.replace(results[1], raw_id=results[2].raw_id), results[2]]
    assert answers(bulk, wrong) != answers(bulk, results)
