"""A hostile pass over streamed bulk ingest (issue 10): the writer holds a batch's transaction
open while it waits for worker processes, so a worker that dies, a Ctrl-C, or another writer
can strike with the batch half-written. Each must leave whole batches only, no chunk file, and
a store that a re-run completes exactly."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from integration.cli.test_ingest_interrupt import children, kill_group

from eventdesk.app.errors import describe
from eventdesk.app.events import ingest_files
from eventdesk.store.sqlite import chunks
from reliability.harness import CLI, child_env, cli_json, open_app, run_cli

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir() or os.name != "posix",
                                reason="finds worker processes in /proc, signals")
LINES = 60_000  # ~6.6 MB: over PARALLEL_MIN_BYTES (4 MiB), so ingest starts workers
BATCH = 10_000  # two staged chunks of 5,000 per batch: six batches
DIE_AT_ENV = "EVENTDESK_TEST_DIE_AT"      # a body: the worker staging it acts (below)
HOLD_FLAG_ENV = "EVENTDESK_TEST_HOLD_FLAG"  # a path: the worker holds the chunk until it exists
WAIT_FOR_ENV = "EVENTDESK_TEST_WAIT_FOR"  # "store|inputs": the worker acts once these are committed


# -- stage functions for the workers (module level: forked or spawned workers find them)

def _stage_then_die(rows: list) -> chunks.ChunkFile:
    """Write the chunk file as the store would, then die as a SIGKILL'd worker does when the
    chunk holds the marked line: its file is complete, its result never delivered."""
    staged = chunks.write_chunk(rows)
    if any(row[1] == os.environ[DIE_AT_ENV] for row in rows):
        hold_until(lambda: _committed_enough(), 30)  # the writer is past the batches before
        os.kill(os.getpid(), signal.SIGKILL)
    return staged


def _stage_then_interrupt_writer(rows: list) -> chunks.ChunkFile:
    """Ctrl-C the writer while it waits for this chunk (the second of a batch: mid-transaction)."""
    staged = chunks.write_chunk(rows)
    if any(row[1] == os.environ[DIE_AT_ENV] for row in rows):
        hold_until(lambda: _committed_enough(), 30)  # the writer is past the batches before
        os.kill(os.getppid(), signal.SIGINT)
        hold_until(lambda: False, 2)  # the writer must take the Ctrl-C while this chunk is pending
    return staged


def _committed_enough() -> bool:
    db, least = os.environ[WAIT_FOR_ENV].rsplit("|", 1)
    return os.path.exists(db) and inputs_committed(Path(db)) >= int(least)


def hold_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# -- helpers

def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def leftover_chunks(writer_pid: int) -> list[str]:
    places = dict.fromkeys([chunks.folder(), "/tmp", os.environ.get("TMPDIR", "/tmp")])
    return [name for place in places for name in os.listdir(place)
            if name.startswith(f"eventdesk-chunk-{writer_pid}-")]


def inputs_committed(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) + coalesce(sum(receipts - 1), 0) FROM raw_events").fetchone()[0]


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def contents(db: Path) -> dict:
    """Everything a store holds that two correct ingests of the same input must agree on."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return {
            "raw": conn.execute("SELECT id, source, body, status, hex(content_hash), error, attempts, receipts,"
                                " duplicate_of, reasons FROM raw_events ORDER BY id").fetchall(),
            "normalized": conn.execute("SELECT id, raw_id, client_id, metric, amount, amount_units, ts, timestamp,"
                                       " hex(normalized_hash), warnings, reasons FROM normalized_events"
                                       " ORDER BY id").fetchall(),
            "daily": conn.execute("SELECT * FROM daily_totals ORDER BY 1, 2, 3").fetchall(),
            "status": conn.execute("SELECT * FROM status_counts WHERE n != 0 ORDER BY 1").fetchall(),
        }


def assert_exact(db: Path, truth: dict, extra_exact: int = 0) -> None:
    stats = cli_json(["stats", "--json", "--store", db])
    assert stats["normalized"] == truth["normalized"]
    assert stats["raw"]["by_status"]["rejected"] == truth["rejected"]
    assert stats["raw"]["by_status"]["failed"] == 0
    assert stats["duplicates"]["semantic"] == truth["semantic_duplicates"]
    assert stats["duplicates"]["exact"] == truth["exact_duplicates"] + extra_exact


def set_mappings(db: Path, mappings: Path) -> None:
    proc = run_cli(["mappings", "--set", mappings, "--store", db])
    assert proc.returncode == 0, proc.stderr


workers_of = children  # the worker processes of an ingest are its children


def write_locked(db: Path) -> bool:
    """Does some connection hold the store's write lock right now?"""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc) or "busy" in str(exc), exc
        return True
    finally:
        conn.close()


@pytest.fixture(scope="module")
def events(generate):
    return generate(LINES, seed=11)


@pytest.fixture
def new_chunks():
    """() -> chunk files of this process made since the test began; removed as it ends."""
    before = set(leftover_chunks(os.getpid()))
    made = lambda: sorted(set(leftover_chunks(os.getpid())) - before)  # noqa: E731
    yield made
    for name in made():
        chunks.ChunkFile(os.path.join(chunks.folder(), name), 0).discard()


@pytest.fixture
def staged_by(monkeypatch):
    """Make the SQLite store's workers stage with ``fn`` (the store's own chunk files)."""
    from eventdesk.store.sqlite.store import SqliteStore

    def use(fn):
        monkeypatch.setattr(SqliteStore, "row_stager", lambda self: (fn, chunks.MAX_PER_BATCH))
    return use


def start_held_ingest(tmp_path: Path, path: Path, db: Path, hold_at: int) -> tuple[subprocess.Popen, Path]:
    """The command line's ingest whose worker holds the chunk holding line ``hold_at``."""
    flag, script = tmp_path / "release", tmp_path / "ingest_held.py"
    script.write_text(INGEST_HELD)
    env = child_env(**{DIE_AT_ENV: lines_of(path)[hold_at], HOLD_FLAG_ENV: str(flag)})
    proc = subprocess.Popen([sys.executable, str(script), "ingest", str(path), "--workers", "2", "--store",
                             str(db), "--json", "--batch-size", str(BATCH)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    return proc, flag


#: ``eventdesk ARGS`` whose worker, staging the line $EVENTDESK_TEST_DIE_AT, writes its pid beside
#: $EVENTDESK_TEST_HOLD_FLAG and holds its finished chunk until that file exists.
INGEST_HELD = textwrap.dedent("""
    import os, sys, time
    from eventdesk.store.sqlite import chunks
    from eventdesk.store.sqlite.store import SqliteStore

    def stage_and_hold(rows):
        staged = chunks.write_chunk(rows)
        if any(row[1] == os.environ["EVENTDESK_TEST_DIE_AT"] for row in rows):
            flag = os.environ["EVENTDESK_TEST_HOLD_FLAG"]
            with open(flag + ".pid", "w") as f:  # this worker is holding its finished chunk
                f.write(str(os.getpid()))
            deadline = time.monotonic() + 30
            while not os.path.exists(flag) and time.monotonic() < deadline:
                time.sleep(0.02)
        return staged

    SqliteStore.row_stager = lambda self: (stage_and_hold, chunks.MAX_PER_BATCH)
    from eventdesk.cli.main import main
    sys.exit(main(sys.argv[1:]))
""")


# -- 1. a worker killed in the middle of a batch

def test_a_worker_killed_mid_batch_fails_in_one_line_keeps_whole_batches_and_a_rerun_is_exact(events, tmp_path):
    path, truth, mappings = events
    db = tmp_path / "k.db"
    set_mappings(db, mappings)
    proc, flag = start_held_ingest(tmp_path, path, db, 2 * BATCH + 5000 + 11)  # batch 3, chunk 2
    try:
        pid_file = Path(f"{flag}.pid")
        assert hold_until(lambda: pid_file.exists() and inputs_committed(db) == 2 * BATCH, 60)
        assert hold_until(lambda: write_locked(db), 30)  # the writer is in batch 3, waiting for it
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        _out, err = proc.communicate(timeout=60)
    finally:
        flag.touch()
        kill_group(proc)
    lines = err.strip().splitlines()
    assert proc.returncode not in (0, None) and len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("eventdesk: ") and "internal error" not in err and "kept" in err, err
    assert proc.returncode == 1, (proc.returncode, err)  # the environment's failure, not a bug's 70
    assert inputs_committed(db) == 2 * BATCH  # batches 1 and 2, nothing of the third
    assert not [name for name in leftover_chunks(proc.pid)], "chunk files left behind"
    assert integrity(db) == "ok"

    again = cli_json(["ingest", path, "--workers", "2", "--store", db, "--json", "--batch-size", BATCH])
    assert again["lines"] == LINES and again["failed"] == 0
    assert_exact(db, truth, extra_exact=2 * BATCH)  # each line the first run kept is re-sent once


def test_a_worker_killed_after_writing_its_chunk_leaves_no_chunk_file(events, tmp_path, monkeypatch, staged_by,
                                                                     new_chunks):
    """Its file is complete but never reached the writer, which is alive: no sweep by process
    id can tell it from a live one, so the ingest must remove it when its pool is down."""
    path, _truth, mappings = events
    monkeypatch.setenv(DIE_AT_ENV, lines_of(path)[2 * BATCH + 5000 + 17])  # batch 3, chunk 2
    monkeypatch.setenv(WAIT_FOR_ENV, f"{tmp_path / 'd.db'}|{2 * BATCH}")
    staged_by(_stage_then_die)
    app = open_app(tmp_path / "d.db", mappings)
    try:
        with pytest.raises(BrokenProcessPool):
            ingest_files(app, [str(path)], workers=2, batch_size=BATCH)
        assert inputs_committed(tmp_path / "d.db") == 2 * BATCH  # batches 1 and 2; nothing of the third
    finally:
        app.close()
    assert new_chunks() == []


def test_a_killed_worker_is_told_as_a_lost_worker_not_as_our_bug(events, tmp_path, monkeypatch, staged_by,
                                                                 new_chunks):
    """Not 'internal error (BrokenProcessPool ...); details in the log' (exit 70): the
    environment did it, and the line says what was kept."""
    path, _truth, mappings = events
    monkeypatch.setenv(DIE_AT_ENV, lines_of(path)[BATCH + 5000 + 1])  # batch 2, chunk 2
    monkeypatch.setenv(WAIT_FOR_ENV, f"{tmp_path / 'm.db'}|{BATCH}")
    staged_by(_stage_then_die)
    app = open_app(tmp_path / "m.db", mappings)
    try:
        with pytest.raises(Exception) as raised:
            ingest_files(app, [str(path)], workers=2, batch_size=BATCH)
    finally:
        app.close()
    text, bug = describe(raised.value)
    assert not bug, text
    assert "worker" in text.lower() and "internal error" not in text and "kept" in text, text


# -- 2. Ctrl-C while the writer waits for a chunk inside its transaction

def test_ctrl_c_while_the_writer_waits_for_a_chunk_keeps_whole_batches_and_no_chunk_file(
        events, tmp_path, monkeypatch, staged_by, new_chunks):
    path, truth, mappings = events
    monkeypatch.setenv(DIE_AT_ENV, lines_of(path)[BATCH + 5000 + 3])  # batch 2, its second chunk
    db = tmp_path / "c.db"
    monkeypatch.setenv(WAIT_FOR_ENV, f"{db}|{BATCH}")
    staged_by(_stage_then_interrupt_writer)
    app = open_app(db, mappings)
    try:
        with pytest.raises(KeyboardInterrupt):
            ingest_files(app, [str(path)], workers=2, batch_size=BATCH)
    finally:
        app.close()
    assert inputs_committed(db) == BATCH  # batch 1 only: batch 2 was open when Ctrl-C came
    assert new_chunks() == []
    assert integrity(db) == "ok"
    monkeypatch.undo()
    again = cli_json(["ingest", path, "--workers", "2", "--store", db, "--json", "--batch-size", BATCH])
    assert again["lines"] == LINES
    assert_exact(db, truth, extra_exact=BATCH)


# -- 3. another writer while a streamed batch holds the write lock

def test_a_submit_during_a_streamed_batch_waits_for_the_lock_and_succeeds(events, tmp_path):
    path, truth, mappings = events
    db = tmp_path / "w.db"
    set_mappings(db, mappings)
    ingest, flag = start_held_ingest(tmp_path, path, db, 5000 + 9)  # batch 1, chunk 2
    submit = None
    try:
        assert hold_until(lambda: write_locked(db), 60), "the ingest never held the write lock"
        event = json.dumps({"source": "client_Z", "payload": {"metric": "x", "amount": 1,
                                                              "timestamp": "2024-01-01T00:00:00Z"}})
        submit = subprocess.Popen([*CLI, "submit", event, "--json", "--store", str(db)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=child_env())
        assert not hold_until(lambda: submit.poll() is not None, 1.0), submit.communicate()  # it waits...
        assert write_locked(db) and inputs_committed(db) == 0  # ... behind the open batch
        flag.touch()
        out, err = submit.communicate(timeout=60)
        assert submit.returncode == 0, err
        assert json.loads(out)["outcome"] == "accepted"
        ingest_out, ingest_err = ingest.communicate(timeout=60)
        assert ingest.returncode == 0, ingest_err
    finally:
        flag.touch()
        kill_group(ingest)
        if submit is not None and submit.poll() is None:
            submit.kill()
            submit.wait()
    assert json.loads(ingest_out)["lines"] == LINES
    stats = cli_json(["stats", "--json", "--store", db])
    assert stats["normalized"] == truth["normalized"] + 1
    assert stats["duplicates"]["exact"] == truth["exact_duplicates"]
    assert integrity(db) == "ok"


def test_a_writer_that_times_out_behind_an_open_batch_fails_its_event_plainly(events, tmp_path):
    """The lock is held while the writer waits for workers, so another writer's busy timeout can
    run out: its event must then be ``failed`` with a plain reason (a retry may fix it)."""
    _path, _truth, mappings = events
    db = tmp_path / "t.db"
    set_mappings(db, mappings)
    app = open_app(db, mappings, busy_timeout_ms=300)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what an open streamed batch holds
    try:
        result = app.submit(json.dumps({"source": "client_Z", "payload": {"amount": 1}}))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        app.close()
    assert result.outcome.value == "failed", result
    assert "locked by another program" in (result.error or ""), result.error


# -- 4. a re-send of a stored failed event inside a later chunk of a streamed batch

@pytest.mark.parametrize("batch", [40_000, None])
def test_a_resend_of_a_failed_event_in_the_third_chunk_takes_the_general_path_exactly(events, tmp_path, batch):
    path, truth, mappings = events
    lines = lines_of(path)
    chunk = 5000 if batch == 40_000 else 12_500  # chunk_size(batch, MAX_PER_BATCH)
    resend = next(i for i in range(2 * chunk + 100, len(lines))  # in the third chunk
                  if '"client_B"' in lines[i] and lines.index(lines[i]) == i and lines.count(lines[i]) == 1)
    size = [] if batch is None else ["--batch-size", batch]
    stores = {}
    for workers in (2, 1):
        db = tmp_path / f"r{workers}.db"
        set_mappings(db, mappings)
        failing = run_cli(["submit", lines[resend], "--simulate-failure", "mid_transaction", "--json",
                           "--store", db])
        first = json.loads(failing.stdout)
        assert failing.returncode != 0 and first["outcome"] == "failed" and first["status"] == "failed", first
        told = cli_json(["ingest", path, "--workers", workers, "--store", db, "--json", *size])
        assert told["lines"] == LINES and told["failed"] == 0
        assert sum(told[k] for k in ("accepted", "duplicate", "semantic_duplicate", "rejected")) == LINES
        assert_exact(db, truth, extra_exact=1)  # reprocessed, counted once; the failed try was a receipt
        raw = cli_json(["submit", lines[resend], "--json", "--store", db])
        assert raw["outcome"] == "duplicate" and raw["status"] in ("normalized", "duplicate")
        stores[workers] = contents(db)
        assert integrity(db) == "ok"
    for part in ("raw", "normalized", "daily", "status"):
        assert [r[1:] for r in stores[2][part]] == [r[1:] for r in stores[1][part]], part


# -- 5. messy input through the command line with workers, batch sizes that do and do not divide

@pytest.fixture(scope="module")
def messy(events, tmp_path_factory):
    """The generated lines with blank lines, CRLF endings, arrays, garbage and one 3 MB line."""
    path, _truth, mappings = events
    lines = lines_of(path)[:40_000]
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i % 997 == 0:
            out.append("")
        if i % 1499 == 0:
            out.append("   \t ")
        if i % 1201 == 0:
            out.append(f"[{line}]")
        if i % 1777 == 0:
            out.append('{"source": "client_A", "payload": {"amount": 1,')  # cut short
        if i == 23_456:
            out.append(json.dumps({"source": "client_B", "payload": {"metric": "big", "amount": 1,
                                   "timestamp": "2024-01-01T00:00:00Z", "pad": "x" * 3_000_000}}))
        if i == 31_000:
            out.append("\ufeffnot json at all \u00e9")
    target = tmp_path_factory.mktemp("messy") / "messy.jsonl"
    with open(target, "wb") as f:
        for i, line in enumerate(out):
            f.write(line.encode("utf-8") + (b"\r\n" if i % 3 == 0 else b"\n"))
    blank = sum(1 for line in out if not line.strip())
    assert target.stat().st_size > 4 << 20
    return target, mappings, len(out) - blank


def ingests_by_pool_size(path: Path, mappings: Path, stem: Path, batch):
    """(workers, store, --json summary) of ``path`` ingested with two workers, then with one."""
    size = [] if batch is None else ["--batch-size", batch]
    for workers in (2, 1):
        db = stem.with_name(f"{stem.name}{workers}.db")
        set_mappings(db, mappings)
        yield workers, db, cli_json(["ingest", path, "--workers", workers, "--store", db, "--json", *size])


@pytest.mark.parametrize("batch", [7000, 7001, 45_001, None], ids=["staged-7000", "rows-7001", "rows-45001",
                                                                    "default"])
def test_messy_input_with_workers_stores_what_one_process_stores(messy, tmp_path, batch):
    path, mappings, counted = messy
    found = {}
    for workers, db, told in ingests_by_pool_size(path, mappings, tmp_path / "m", batch):
        assert told["lines"] == counted, told
        assert sum(told[k] for k in ("accepted", "duplicate", "semantic_duplicate", "rejected", "failed")) \
            == counted
        assert told["failed"] == 0
        assert inputs_committed(db) == counted
        assert integrity(db) == "ok"
        found[workers] = contents(db)
    for part in ("raw", "normalized", "daily", "status"):
        assert found[2][part] == found[1][part], part


@pytest.mark.parametrize("batch", [7000, 7001, None], ids=["staged-7000", "rows-7001", "default"])
def test_a_json_array_file_with_workers_stores_what_one_process_stores(events, tmp_path, batch):
    """The whole input as one JSON array (CRLF, indented, a non-object element), over 4 MiB."""
    path, _truth, mappings = events
    elements = lines_of(path)[:45_000]
    elements = [e for e in elements if e.lstrip().startswith("{") and _parses(e)] + ["17", '"text"', "[1, 2]"]
    array = tmp_path / "array.json"
    array.write_bytes(("[\r\n  " + ",\r\n  ".join(elements) + "\r\n]\r\n").encode("utf-8"))
    assert array.stat().st_size > 4 << 20
    found = {}
    for workers, db, told in ingests_by_pool_size(array, mappings, tmp_path / "a", batch):
        assert told["lines"] == len(elements) and told["failed"] == 0, told
        assert inputs_committed(db) == len(elements)
        found[workers] = contents(db)
    for part in ("raw", "normalized", "daily", "status"):
        assert found[2][part] == found[1][part], part


def _parses(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def test_standard_input_and_two_files_stream_through_workers_exactly(events, tmp_path):
    """Standard input (size unknown: workers all the same) then the same file again, in one run."""
    path, truth, mappings = events
    db = tmp_path / "s.db"
    set_mappings(db, mappings)
    with open(path, "rb") as stdin:
        told = cli_json(["ingest", "-", path, "--workers", "2", "--store", db, "--json"], stdin=stdin)
    assert told["lines"] == 2 * LINES and told["duplicate"] == truth["exact_duplicates"] + LINES
    assert_exact(db, truth, extra_exact=LINES)
    assert integrity(db) == "ok"


# -- 6. forked workers and the parent's open store

def test_forked_workers_ending_never_release_the_parents_lock_nor_touch_its_store(events, tmp_path, new_chunks):
    """Workers are forked with the store open: a child that exits (or is killed) closes its copy
    of the store's file descriptors. POSIX locks are the process's, so the parent's write lock
    and WAL must survive that."""
    from eventdesk.core.parent_watch import QuietForkContext, quiet_context
    path, _truth, mappings = events
    db = tmp_path / "f.db"
    if not isinstance(quiet_context(), QuietForkContext):
        pytest.skip("workers are spawned here (the test process has threads): nothing forked")
    app = open_app(db, mappings)
    try:
        ingest_files(app, [str(path)], workers=2, batch_size=BATCH)  # forks, ends its workers
        wal = Path(f"{db}-wal")
        with app.store.unit_of_work() as uow:  # the parent holds the write lock ...
            uow.mark("held")
            before = set(workers_of(os.getpid()))
            preparer = app.parallel_preparer(2)
            assert next(iter(preparer.prepare([[]]))) == []
            victim = min(set(workers_of(os.getpid())) - before)
            os.kill(victim, signal.SIGKILL)  # ... while a forked child is killed, and the rest end
            # the pool must see the death before it is shut down: a worker killed while waiting
            # for work holds the queue's lock, and a plain shutdown then waits for good
            assert hold_until(lambda: preparer._pool._broken, 10)
            preparer.close()
            assert not any(pid == victim for pid in workers_of(os.getpid()))
            assert write_locked(db), "a forked worker's exit released the parent's write lock"
            assert wal.exists()
            uow.commit()
        assert app.store.has_mark("held")
    finally:
        app.close()
    assert integrity(db) == "ok"
    assert new_chunks() == []


# -- 7. the desktop app's import: a spawned import process, one spawned worker, 10,000 a batch

def test_cancelling_a_window_import_keeps_whole_batches_and_leaves_no_chunk_file(events, tmp_path):
    import threading

    from eventdesk.gui.ingest_process import WINDOW_BATCH, ingest_in_process
    path, truth, mappings = events
    db = tmp_path / "g.db"
    set_mappings(db, mappings)
    cancel, writers = threading.Event(), set()

    def on_progress(progress) -> None:  # the window's Cancel, as soon as a batch is in
        writers.update(workers_of(os.getpid()))  # the import process (and the resource tracker)
        cancel.set()
    summary = ingest_in_process(f"sqlite:///{db}", 5, str(path), cancel, on_progress)
    assert summary.cancelled and 0 < summary.lines < LINES, summary
    kept = inputs_committed(db)
    assert kept == summary.lines and kept % WINDOW_BATCH == 0, (kept, summary)
    assert writers and not [name for pid in writers for name in leftover_chunks(pid)]
    assert integrity(db) == "ok"
    again = cli_json(["ingest", path, "--store", db, "--json"])
    assert again["lines"] == LINES
    assert_exact(db, truth, extra_exact=kept)
