"""Every input shape through eventdesk.core.ingest into the in-memory fake store.

Design section 8 (JSON lines, a JSON array, blank lines skipped) and the array cases of the
defects issue: the summary, the stored raw events and the normalized events agree, and every
input is accounted for exactly once (lines == stored raw events + receipts beyond the first).
"""
from __future__ import annotations

import io
import json
import threading

import pytest
from fakes.memory_store import MemoryStore

from eventdesk.core import input_reader
from eventdesk.core.errors import StoreUnavailable
from eventdesk.core.ingest import IngestSummary, ingest_stream
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.processor import Processor
from eventdesk.core.queries import NormalizedQuery, Page, RawQuery
from eventdesk.core.rows import rows_of

BOM = b"\xef\xbb\xbf"


def ev(n: int, **extra) -> bytes:
    payload = {"metric": "m", "amount": n, "timestamp": "2024-01-01T00:00:00Z", **extra}
    return json.dumps({"source": "client_B", "payload": payload}).encode()


A, B, C = ev(1), ev(2), ev(3)
PRETTY = json.dumps([json.loads(A), json.loads(B)], indent=2).encode()  # elements over many lines
TRICKY = ev(4, note="a ] b } c [ d { \" e")  # brackets and a quote inside a string
TRICKY_LINE = ev(5, note="] } [ {")

SHAPES = {
    "json lines": (A + b"\n" + B + b"\n" + C + b"\n", [1, 2, 3], []),
    "json lines, no final newline": (A + b"\n" + B, [1, 2], []),
    "array": (b"[" + A + b"," + B + b"]", [1, 2], []),
    "array, pretty printed": (PRETTY + b"\n", [1, 2], []),
    "empty array": (b"[]\n", [], []),
    "array, trailing comma": (b"[" + A + b", " + B + b",]\n", [1, 2], []),
    "array + array, one line": (b"[" + A + b"][" + B + b"]", [1, 2], []),
    "array + array, two lines": (b"[" + A + b"]\n[" + B + b"," + C + b"]\n", [1, 2, 3], []),
    "array then lines": (b"[" + A + b"]\n" + B + b"\n" + C + b"\n", [1, 2, 3], []),
    "lines then array": (A + b"\n[" + B + b", " + C + b"]\n", [1, 2, 3], []),
    "bom, json lines": (BOM + A + b"\n" + B + b"\n", [1, 2], []),
    "bom, array": (BOM + b"[" + A + b"," + B + b"]\n", [1, 2], []),
    "stray bracket": (b"[" + A + b"]]\n" + B + b"\n", [1, 2], ["]"]),
    "stray brace": (b"[" + A + b"}, " + B + b"]", [2], [A.decode() + "}"]),
    "garbage between arrays": (b"[" + A + b"]\ngarbage\n[" + B + b"]\n", [1, 2], ["garbage"]),
    "nested array element": (b"[" + A + b", [1, 2], " + B + b"]", [1, 2], ["[1, 2]"]),
    "unclosed array": (b"[" + A + b", " + B[:10], [1], [B[:10].decode()]),
    "brackets inside strings": (b"[" + TRICKY + b"]\n" + TRICKY_LINE + b"\n", [4, 5], []),
    "blank lines": (b"\n\n" + A + b"\n   \n\t\n" + B + b"\n\n", [1, 2], []),
    "crlf lines": (A + b"\r\n" + B + b"\r\n\r\n", [1, 2], []),
    "crlf array": (b"[\r\n  " + A + b",\r\n  " + B + b"\r\n]\r\n", [1, 2], []),
    "a line that is not an object": (A + b"\n42\n\"text\"\n", [1], ["42", '"text"']),
    "only blanks and a bom": (BOM + b"\n  \r\n\n", [], []),
}


def ingest(data: bytes, store: MemoryStore, mappings, batch_size: int = 1000, **options) -> IngestSummary:
    processor = Processor(store, Normalizer(mappings), group_commit=False)

    def prepare(batches):
        for batch in batches:
            yield rows_of(processor.normalizer, batch)

    return ingest_stream(io.BytesIO(data), prepare, processor.apply_rows, IngestSummary(), batch_size, **options)


def stored_amounts(store: MemoryStore) -> list[int]:
    return sorted(int(e.amount) for e in store.query_normalized(NormalizedQuery(), Page(limit=10_000)))


def rejected_texts(store: MemoryStore) -> list[str]:
    rows = store.query_raw(RawQuery(statuses=("rejected",)), Page(limit=10_000))
    return [r.text if isinstance(r.text, str) else r.text.decode() for r in rows]


def accounted_for(summary: IngestSummary, store: MemoryStore) -> None:
    stats = store.stats()
    assert summary.lines == stats.raw_total + stats.exact_duplicates  # every input once, none dropped
    assert summary.accepted == stats.normalized
    assert summary.rejected == stats.by_status["rejected"]
    assert summary.semantic_duplicate == stats.semantic_duplicates


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_shape_stores_every_event_and_rejects_every_unreadable_piece(shape, batch_size,
                                                                          shipped_mappings):
    data, good, bad = SHAPES[shape]
    store = MemoryStore()
    summary = ingest(data, store, shipped_mappings, batch_size)
    assert (summary.lines, summary.accepted, summary.rejected, summary.failed) == (
        len(good) + len(bad), len(good), len(bad), 0), summary
    assert stored_amounts(store) == sorted(good)
    assert sorted(rejected_texts(store)) == sorted(bad)
    accounted_for(summary, store)


@pytest.mark.parametrize("shape", ["json lines", "array", "array, pretty printed", "crlf array",
                                   "array + array, one line", "stray brace", "unclosed array"])
def test_shapes_read_in_parts_of_short_lines(shape, shipped_mappings, monkeypatch):
    monkeypatch.setattr(input_reader, "LINE_LIMIT", 16)  # lines arrive in parts of 16 bytes
    data, good, bad = SHAPES[shape]
    store = MemoryStore()
    summary = ingest(data, store, shipped_mappings, 2)
    assert stored_amounts(store) == sorted(good) and sorted(rejected_texts(store)) == sorted(bad)
    accounted_for(summary, store)


def test_crlf_and_bom_are_not_part_of_the_stored_text(shipped_mappings):
    store = MemoryStore()
    ingest(BOM + A + b"\r\n" + B + b"\r\n", store, shipped_mappings)
    texts = [r.text for r in store.query_raw(RawQuery(), Page())]
    assert texts == [A.decode(), B.decode()]


def test_the_same_event_as_a_line_and_in_an_array_is_one_fact(shipped_mappings):
    store = MemoryStore()
    data = A + b"\n[" + A + b"]\n" + PRETTY + b"\n"  # A three times: as a line, in an array, pretty
    summary = ingest(data, store, shipped_mappings, 2)
    assert (summary.lines, summary.accepted, summary.duplicate) == (4, 2, 2)
    (raw_a, raw_b) = store.query_raw(RawQuery(), Page())
    assert (raw_a.receipts, raw_b.receipts) == (3, 1)
    accounted_for(summary, store)


def test_a_rejected_piece_names_its_byte_position(shipped_mappings):
    store = MemoryStore()
    data = b"[" + A + b"]\ngarbage\n"
    ingest(data, store, shipped_mappings)
    (rejected,) = store.query_raw(RawQuery(statuses=("rejected",)), Page())
    assert f"at byte {data.index(b'garbage')}" in rejected.error


def test_a_batch_the_store_fails_is_recorded_failed_and_ingest_goes_on(shipped_mappings):
    store = MemoryStore()
    store.fail("insert_normalized", StoreUnavailable("disk hiccup"))
    summary = ingest(A + b"\n" + B + b"\n" + C + b"\n", store, shipped_mappings, 2)
    assert (summary.lines, summary.accepted, summary.failed, summary.stopped) == (3, 1, 2, False)
    assert store.stats().by_status["failed"] == 2
    accounted_for(summary, store)


def test_ingest_stops_when_not_even_failures_can_be_stored(shipped_mappings):
    store = MemoryStore()
    store.fail("insert_raws", StoreUnavailable("gone"), times=2)  # the batch and its failure record
    summary = ingest(A + b"\n" + B + b"\n" + C + b"\n", store, shipped_mappings, 2)
    assert summary.stopped and summary.errors and "gone" in summary.errors[0]
    assert (summary.lines, summary.failed) == (2, 2)
    assert store.stats().raw_total == 0  # the batch after it was never applied


def test_cancel_stops_at_a_batch_boundary_with_earlier_batches_committed(shipped_mappings):
    store, cancel, seen = MemoryStore(), threading.Event(), []

    def progress(summary: IngestSummary, position: int) -> None:
        seen.append((summary.lines, position))
        cancel.set()  # after the first batch

    data = b"[" + b",".join(ev(n) for n in range(10)) + b"]"
    summary = ingest(data, store, shipped_mappings, 4, progress=progress, cancel=cancel)
    assert summary.cancelled and summary.lines == 4 and store.stats().raw_total == 4
    assert seen[0][0] == 4
