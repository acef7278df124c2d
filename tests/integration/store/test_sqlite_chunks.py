"""Chunk files (``store/sqlite/chunks.py``): rows staged by worker processes give exactly the
store that rows handed over by pickling give; no chunk file outlives its ingest, also when it is
cancelled; files a killed writer left are swept by the next one."""
from __future__ import annotations

import glob
import os
import sqlite3
import subprocess
import sys
import threading

import pytest
from integration.store.test_sqlite_bulk import content

from eventdesk.app import Settings, build_app, events
from eventdesk.store.sqlite import chunks


def leftovers() -> list[str]:
    return glob.glob(os.path.join(chunks.folder(), "eventdesk-chunk-*.db"))


def ingest(tmp_path, name, events_path, mappings, batch_size, stage: bool):
    app = build_app(Settings(store_uri=str(tmp_path / f"{name}.db"), mappings_file=str(mappings)))
    if not stage:
        app.store.row_stager = None  # type: ignore[attr-defined]  # rows by pickling, for the comparison
    try:
        summary = events.ingest_files(app, [str(events_path)], workers=2, batch_size=batch_size)
        held = content(app.store)
        held["raw"] = [r[:7] + r[9:] for r in held["raw"]]  # received_at, updated_at: the clock's
        return summary, held
    finally:
        app.close()


@pytest.mark.parametrize("batch_size", [5000, 10_000, 7000, 40_000])  # 7000: not whole chunks, so rows
def test_staged_chunks_leave_the_store_rows_leave(tmp_path, generate, batch_size, monkeypatch):
    monkeypatch.setattr(events, "PARALLEL_MIN_BYTES", 0)  # the worker pool also for this small file
    path, truth, mappings = generate(12_000, seed=91)
    before = set(leftovers())
    staged, staged_store = ingest(tmp_path, "staged", path, mappings, batch_size, stage=True)
    plain, plain_store = ingest(tmp_path, "plain", path, mappings, batch_size, stage=False)
    assert staged.to_json() | {"seconds": 0} == plain.to_json() | {"seconds": 0}
    assert staged.accepted == truth["normalized"]
    assert staged_store == plain_store
    assert set(leftovers()) <= before


def test_a_cancelled_ingest_leaves_no_chunk_file(tmp_path, generate, monkeypatch):
    monkeypatch.setattr(events, "PARALLEL_MIN_BYTES", 0)
    path, _truth, mappings = generate(30_000, seed=92)
    app = build_app(Settings(store_uri=str(tmp_path / "c.db"), mappings_file=str(mappings)))
    cancel = threading.Event()

    def progress(summary, _read, _total):
        cancel.set()  # after the first batch: the chunks in flight must go
    before = set(leftovers())
    try:
        summary = events.ingest_files(app, [str(path)], workers=2, batch_size=5000, progress=progress,
                                      cancel=cancel)
    finally:
        app.close()
    assert summary.cancelled and summary.lines == 5000
    assert set(leftovers()) <= before


def test_files_of_a_writer_that_is_gone_are_swept_and_others_kept(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = os.path.join(chunks.folder(), f"eventdesk-chunk-{gone}-test.db")
    mine = os.path.join(chunks.folder(), f"eventdesk-chunk-{os.getpid()}-test.db")
    for path in (stale, mine):
        open(path, "wb").close()
    try:
        assert chunks.sweep() >= 1
        assert not os.path.exists(stale) and os.path.exists(mine)
    finally:
        for path in (stale, mine):
            if os.path.exists(path):
                os.unlink(path)


def test_a_chunk_reads_back_the_rows_it_holds(tmp_path):
    rows = [(bytes(32), "text", "a", "normalized", None, None, bytes([1]) * 32, "a", "m", "1.5", 15000, 0,
             "1970-01-01T00:00:00Z", None, None),
            (bytes([2]) * 32, b"\xff not utf-8", None, "rejected", "json.invalid", "[]") + (None,) * 9]
    chunk = chunks.write_chunk(rows)
    try:
        assert chunk.count == 2 and chunk.rows() == rows
    finally:
        chunk.discard()
    assert not os.path.exists(chunk.path)


def test_a_full_memory_folder_sends_chunks_to_the_temp_folder(tmp_path, monkeypatch):
    full = tmp_path / "full"
    full.mkdir()
    monkeypatch.setattr(chunks, "folder", lambda: str(full))
    real_write = chunks._write

    def refuse_in_full(rows, path):
        if path.startswith(str(full)):
            raise OSError(28, "No space left on device")
        return real_write(rows, path)
    monkeypatch.setattr(chunks, "_write", refuse_in_full)
    rows = [(bytes(32), "x", "a", "rejected", "json.invalid", "[]") + (None,) * 9]
    chunk = chunks.write_chunk(rows)
    try:
        assert not chunk.path.startswith(str(full)) and chunk.rows() == rows
    finally:
        chunk.discard()


def test_no_room_anywhere_is_one_clear_os_error(tmp_path, monkeypatch):
    monkeypatch.setattr(chunks, "_write", lambda rows, path: (_ for _ in ()).throw(
        sqlite3.OperationalError("database or disk is full")))
    with pytest.raises(OSError, match="no room to stage rows for the writer in .*: database or disk is full"):
        chunks.write_chunk([(bytes(32),) + (None,) * 14])
