"""1. kill -9 loop: SIGKILL the writer at random moments, re-run the same input, lose nothing.

A child process runs ``eventdesk ingest`` on a 50,000-line generated file (or, separately,
concurrent single submissions from four threads, submitter.py, on a 5,000-line file); the test
kills it with SIGKILL (its whole process group, worker processes included) at a random moment,
checks that nothing committed went away, and runs the same input again. The first kills land
in start-up (schema, mappings); the others a random 0..0.5 s after the run first touched the
store's files, that window widening with every kill so that kills reach further into the file.
After the last kill one run goes to the end. The store must then equal the generator's truth
file exactly, PRAGMA integrity_check must say ok, and every acknowledgement a submitter
received must still hold, under the same ids.
"""
from __future__ import annotations

import random
import subprocess
import sys
import time

import pytest

from eventdesk.store.sqlite import SqliteStore
from reliability.harness import CLI, HERE, child_env, cli_json, kill_group, read_acks
from reliability.invariants import Expected, check, count_kinds, lost_and_doubled

INGEST_LINES = 50_000
SUBMIT_LINES = 5_000   # a full run of single submissions takes ~1 ms a line; 50k would take ~45 s
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and process groups are POSIX")

STARTUP_KILLS = 10      # after 0.05 .. 1.0 s: start-up, schema, mappings
WRITING_KILLS = 22      # 0 .. 0.5 s after the run first wrote, 0.25 s further each time
SUBMIT_KILLS = 30


def _ingest_command(events, mappings, db, run=0):
    # every third run with the defaults (worker processes, 30k-event batches), the others with one
    # worker and smaller batches, so that kills land between many commits
    workers = [] if run % 3 == 0 else ["--workers", "1", "--batch-size", "5000"]
    return [*CLI, "ingest", str(events), "--mappings", str(mappings), "--store", str(db), "--json", *workers]


def _submit_command(events, mappings, db, acks, run):
    return [sys.executable, str(HERE / "submitter.py"), str(db), str(mappings), str(events), str(acks),
            "--threads", "4", "--seed", str(run)]


class KillLoop:
    """Runs a command again and again, killing it with SIGKILL after a random delay."""

    def __init__(self, make_command, db, tmp_path, rng: random.Random, guard: bool = True) -> None:
        self.make_command = make_command
        self.db = db
        self.tmp_path = tmp_path
        self.rng = rng
        self.guard = guard
        self.kills = 0
        self.runs = 0
        self.finished_early = 0
        self.problems: list[str] = []
        self.kills_while_writing = 0  # kills after which the store had changed during the run
        self.kills_after_a_write = 0  # kills of runs that had begun to write (after_write phase)
        self._committed = (0, 0)  # (raw events, receipts) seen after the last kill
        self.raw_events_before_final_run = 0

    def run(self, kills: int, low: float, high: float, after_write: bool = False, widen: float = 0.0) -> None:
        """``kills`` runs, each killed ``low``..``high`` s after it started (``after_write``: after
        it first changed the store's files); ``high`` grows by ``widen`` per kill, so that later
        kills reach further into the file."""
        target = self.kills + kills
        while self.kills < target:
            self.runs += 1
            log = self.tmp_path / f"run{self.runs}.stderr"
            with open(log, "wb") as err:
                before = self._files()
                proc = subprocess.Popen(self.make_command(self.runs), stdout=subprocess.DEVNULL, stderr=err,
                                        env=child_env(self.guard), start_new_session=True)
                started = time.monotonic()
                if after_write:
                    self._wait_for_a_write(proc, before)
                try:
                    code = proc.wait(timeout=self.rng.uniform(low, high))
                except subprocess.TimeoutExpired:
                    kill_group(proc)
                    self.kills += 1
                    self.kills_after_a_write += after_write
                    high += widen
                    self._after_kill()
                    continue
            # the run ended before its kill: the input is done; kill earlier from now on
            self.finished_early += 1
            assert code == 0, f"run {self.runs} failed ({code}): {log.read_text()}"
            high = max(low + 0.05, min(high, 0.9 * (time.monotonic() - started)))

    def _files(self) -> tuple:
        """Size and modification time of the store's file and its write-ahead log."""
        out = []
        for path in (self.db, self.db.with_name(self.db.name + "-wal")):
            try:
                stat = path.stat()
                out.append((stat.st_size, stat.st_mtime_ns))
            except FileNotFoundError:
                out.append(None)
        return tuple(out)

    def _wait_for_a_write(self, proc, before: tuple, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while proc.poll() is None and self._files() == before and time.monotonic() < deadline:
            time.sleep(0.005)

    def _after_kill(self) -> None:
        """What was committed before a kill is still there after it (raw events and receipts)."""
        if not self.db.exists():
            return
        store = SqliteStore(str(self.db), unique_indexes=self.guard)
        try:
            stats = store.stats()
            now = (stats.raw_total, stats.raw_total + stats.exact_duplicates)
            if self.guard and (now[0] < self._committed[0] or now[1] < self._committed[1]):
                self.problems.append(f"kill {self.kills}: committed data went away: {self._committed} -> {now}")
            self.kills_while_writing += now != self._committed
            self.raw_events_before_final_run = now[0]
            self._committed = now
            if self.kills % 10 == 0:
                self.problems += [f"kill {self.kills}: {v}" for v in check(store)]
        finally:
            store.close()

    def finish(self) -> None:
        self.runs += 1
        proc = subprocess.run(self.make_command(self.runs), capture_output=True, env=child_env(self.guard),
                              timeout=600)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")


def _recover_and_check(db, truth, acks=(), guard=True):
    recovered = cli_json(["retry", "--status", "pending", "--status", "processing", "--json", "--store", db],
                         guard=guard)
    store = SqliteStore(str(db), unique_indexes=guard)
    try:
        violations = check(store, Expected.from_truth(truth, resent=True, acknowledged=acks))
        stats = store.stats().to_json()
        integrity = store.integrity_check()
    finally:
        store.close()
    assert cli_json(["stats", "--json", "--store", db], guard=guard) == stats
    return recovered, violations, integrity


@pytest.mark.slow
def test_kill_loop_ingest(generate, tmp_path, figures):
    events, truth, mappings = generate(INGEST_LINES, seed=101)
    db = tmp_path / "killed.db"
    loop = KillLoop(lambda run: _ingest_command(events, mappings, db, run), db, tmp_path, random.Random(101))
    loop.run(STARTUP_KILLS, 0.05, 1.0)
    loop.run(WRITING_KILLS, 0.0, 0.5, after_write=True, widen=0.25)
    loop.finish()
    recovered, violations, integrity = _recover_and_check(db, truth)
    lost, doubled = lost_and_doubled(violations)
    figures.record("kill_loop_ingest", kills=loop.kills, runs=loop.runs,
                   kills_of_runs_that_had_begun_writing=loop.kills_after_a_write,
                   raw_events_stored_before_the_final_run=loop.raw_events_before_final_run, lines=INGEST_LINES,
                   kills_after_which_the_store_had_changed=loop.kills_while_writing,
                   runs_finished_before_their_kill=loop.finished_early, events_lost=lost,
                   events_double_counted=doubled, violations=len(violations))
    assert loop.kills >= STARTUP_KILLS + WRITING_KILLS
    assert loop.kills_while_writing >= WRITING_KILLS // 2, "too few kills landed while the store was written"
    assert not loop.problems, "\n".join(loop.problems)
    assert recovered["selected"] == 0  # SQLite commits raw and normalized together: nothing left pending
    assert integrity == "ok"
    assert not violations, "\n".join(map(str, violations))


@pytest.mark.slow
def test_kill_loop_concurrent_submissions(generate, tmp_path, figures):
    events, truth, mappings = generate(SUBMIT_LINES, seed=102)
    db, acks = tmp_path / "killed.db", tmp_path / "acks.jsonl"
    loop = KillLoop(lambda run: _submit_command(events, mappings, db, acks, run), db, tmp_path,
                    random.Random(102))
    loop.run(SUBMIT_KILLS // 3, 0.05, 0.6)
    loop.run(SUBMIT_KILLS - SUBMIT_KILLS // 3, 0.0, 0.6, after_write=True, widen=0.05)
    loop.finish()
    history = read_acks(acks)
    recovered, violations, integrity = _recover_and_check(db, truth, history)
    lost, doubled = lost_and_doubled(violations)
    figures.record("kill_loop_submit", kills=loop.kills, runs=loop.runs,
                   kills_of_runs_that_had_begun_writing=loop.kills_after_a_write,
                   raw_events_stored_before_the_final_run=loop.raw_events_before_final_run, lines=SUBMIT_LINES,
                   kills_after_which_the_store_had_changed=loop.kills_while_writing,
                   acknowledgements_checked=len(history), events_lost=lost, events_double_counted=doubled,
                   violations=len(violations))
    assert loop.kills >= SUBMIT_KILLS
    assert loop.kills_while_writing >= SUBMIT_KILLS // 3, "too few kills landed while the store was written"
    assert not loop.problems, "\n".join(loop.problems)
    assert [a for a in history if a.outcome in ("failed", "exception")] == []
    assert recovered["selected"] == 0 and integrity == "ok"
    assert not violations, "\n".join(map(str, violations))


# -- 8. negative controls: the same loops without the unique indexes must be caught

@pytest.mark.slow
@pytest.mark.parametrize("writer", ["ingest", "submit"])
def test_negative_control_kill_loop_without_dedup_guard(writer, generate, tmp_path, figures):
    events, truth, mappings = generate(2_000, seed=103)
    db, acks = tmp_path / "unguarded.db", tmp_path / "acks.jsonl"
    if writer == "ingest":
        command = lambda run: _ingest_command(events, mappings, db, run)  # noqa: E731
    else:
        command = lambda run: _submit_command(events, mappings, db, acks, run)  # noqa: E731
    loop = KillLoop(command, db, tmp_path, random.Random(103), guard=False)
    loop.run(5, 0.3, 0.8)
    loop.finish()
    _, violations, _ = _recover_and_check(db, truth, read_acks(acks), guard=False)
    kinds = count_kinds(violations)
    figures.record(f"negative_control_kill_loop_{writer}", kills=loop.kills, violations_reported=len(violations),
                   kinds=dict(kinds))
    assert kinds["duplicated"] > 0, "the checker missed double counting with the guard removed"
