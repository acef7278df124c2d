"""Streamed batches (``core.rows.StreamedBatch``): the SQLite writer writes each staged chunk of a
batch as it becomes ready, inside the batch's one transaction. It must start before the last
chunk is ready (else a whole batch is left to do alone at the end), and a chunk that never
comes (its worker failed) must leave nothing of the batch behind."""
from __future__ import annotations

import io
import os
import sqlite3
import threading

import pytest
from integration.store.test_sqlite_bulk import CLOCK, ODD, content, store_of

from eventdesk.core.ingest import IngestSummary, ingest_stream, joined
from eventdesk.core.input_reader import read_inputs
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.processor import Processor
from eventdesk.core.rows import StreamedBatch, rows_of
from eventdesk.store.sqlite import SqliteStore, chunks


class Pending:
    """A chunk as a worker hands it on: its size now, its file when ``get`` is called."""

    def __init__(self, rows, before_get=None, fails=False) -> None:
        self.rows, self.count, self.before_get, self.fails = rows, len(rows), before_get, fails
        self.file = None
        self.discarded = False

    def get(self):
        if self.before_get is not None:
            self.before_get()
        if self.fails:
            raise OSError("the worker could not write its chunk")
        if self.file is None:
            self.file = chunks.write_chunk(self.rows)
        return self.file

    def discard(self) -> None:
        self.discarded = True
        if self.file is not None:
            self.file.discard()


def processor_for(tmp_path, name="s") -> Processor:
    store = SqliteStore(str(tmp_path / f"{name}.db"))
    return Processor(store, Normalizer(Mappings.from_json("{}")), clock=lambda: CLOCK, group_commit=False)


def pieces(processor, lines, size):
    rows = rows_of(processor.normalizer, lines)
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def test_the_writer_writes_the_first_chunk_before_the_last_is_ready(tmp_path):
    processor = processor_for(tmp_path)
    seen = []
    conn = processor.store._conn()  # the writer's own connection sees its open transaction

    def look():
        seen.append(conn.execute("SELECT count(*) FROM raw_events").fetchone()[0])
    first, second, third = pieces(processor, ODD, 6)
    batch = StreamedBatch([Pending(first), Pending(second, look), Pending(third, look)])
    outcome = processor.apply_rows(batch)
    batch.discard()
    assert seen[0] > 0, "the writer waited for the whole batch before writing any of it"
    assert seen[1] > seen[0]
    assert sum(outcome.counts.values()) == len(ODD)
    assert processor.store.stats().raw_total > seen[1]  # the last chunk's new events after it


def test_a_streamed_batch_leaves_the_store_whole_batches_leave(tmp_path):
    data = b"\n".join(ODD * 3) + b"\n"
    items = list(read_inputs(io.BytesIO(data)))  # as ingest reads them (pieces know their place)
    processor = processor_for(tmp_path, "streamed")
    for start in range(0, len(items), 20):
        batch = StreamedBatch([Pending(rows) for rows in pieces(processor, items[start:start + 20], 7)])
        processor.apply_rows(batch)
        batch.discard()
    whole = store_of(tmp_path, "whole", data, 20, bulk=True)
    assert content(processor.store) == content(whole)


def test_a_chunk_that_never_comes_leaves_nothing_of_its_batch(tmp_path):
    processor = processor_for(tmp_path)
    good, bad = pieces(processor, ODD[:8], 4)
    batch = StreamedBatch([Pending(good), Pending(bad, fails=True)])
    with pytest.raises(OSError):
        processor.apply_rows(batch)
    batch.discard()
    assert processor.store.stats().raw_total == 0  # the first chunk was written, then rolled back
    again = StreamedBatch([Pending(good), Pending(bad)])
    processor.apply_rows(again)  # the retry is safe
    again.discard()
    assert processor.store.stats().raw_total == 7  # 8 lines, one exact re-send


def test_chunks_never_applied_are_discarded_also_those_not_yet_ready(tmp_path):
    processor = processor_for(tmp_path)
    a, b, c = pieces(processor, ODD[:9], 3)
    handed = [Pending(a), Pending(b), Pending(c)]

    def worker_pool():
        yield from handed
        raise OSError("a worker died")  # after handing on c, before c's batch was full
    batches = joined(worker_pool(), 6)
    next(batches)  # the first batch (a, b) goes to the writer, which discards it after use
    with pytest.raises(OSError):
        next(batches)
    assert handed[2].discarded and not handed[0].discarded and handed[2].file is None


def test_a_whole_ingest_with_worker_processes_streams_and_counts_exactly(tmp_path, generate, monkeypatch):
    """The real pipeline: forked workers hand on pending chunks; eight chunks per batch."""
    from eventdesk.app import Settings, build_app, events
    monkeypatch.setattr(events, "PARALLEL_MIN_BYTES", 0)
    path, truth, mappings = generate(20_000, seed=93)
    app = build_app(Settings(store_uri=str(tmp_path / "w.db"), mappings_file=str(mappings)))
    try:
        summary = events.ingest_files(app, [str(path)], workers=2, batch_size=16_000)
        assert summary.lines == truth["lines"] and summary.accepted == truth["normalized"]
        assert summary.duplicate == truth["exact_duplicates"]
        assert summary.semantic_duplicate == truth["semantic_duplicates"]
    finally:
        app.close()
    conn = sqlite3.connect(str(tmp_path / "w.db"))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not [p for p in os.listdir(chunks.folder()) if p.startswith(f"eventdesk-chunk-{os.getpid()}-")]


def test_ingest_stream_hands_pending_chunks_on_before_they_are_ready(tmp_path):
    """``ingest_stream`` must not wait for chunks itself: only the store's writer does."""
    processor = processor_for(tmp_path)
    ready = threading.Event()

    def prepare(batches):
        for batch in batches:
            rows = rows_of(processor.normalizer, batch)
            yield Pending(rows, before_get=ready.set)
    summary = ingest_stream(io.BytesIO(b"\n".join(ODD) + b"\n"), prepare, processor.apply_rows,
                            IngestSummary(), batch_size=len(ODD), chunk=6)
    assert ready.is_set() and summary.lines == len(ODD)
