"""1. kill -9 loop: SIGKILL the writer at random moments, re-run the same input, lose nothing.

A child process runs ``eventdesk ingest`` (or concurrent single submissions, submitter.py) on a
generated file; the test kills it with SIGKILL at a random moment, checks that nothing that was
committed went away, and runs the same input again; after the last kill one run goes to the
end. The store must then equal the generator's truth file exactly, and the acknowledgements
the submitters received must all still hold.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
import time

import pytest

from eventdesk.store.sqlite import SqliteStore
from reliability.harness import CLI, HERE, child_env, cli_json, kill_group, read_acks
from reliability.invariants import Expected, check, count_kinds, lost_and_doubled

INGEST_LINES = 50_000
SUBMIT_LINES = 3_000
SHORT_KILLS = 30        # after 0.05 .. 1.0 s: start-up, schema, mappings, the first batches
DEEP_KILLS = 4          # after 1 .. 3 s: further into the file
SUBMIT_KILLS = 30


def _ingest_command(events, mappings, db):
    return [*CLI, "ingest", str(events), "--mappings", str(mappings), "--store", str(db), "--json"]


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
        self._committed = (0, 0)  # (raw events, receipts) seen after the last kill

    def run(self, kills: int, low: float, high: float) -> None:
        target = self.kills + kills
        while self.kills < target:
            self.runs += 1
            log = self.tmp_path / f"run{self.runs}.stderr"
            with open(log, "wb") as err:
                proc = subprocess.Popen(self.make_command(self.runs), stdout=subprocess.DEVNULL, stderr=err,
                                        env=child_env(self.guard), start_new_session=True)
                started = time.monotonic()
                try:
                    code = proc.wait(timeout=self.rng.uniform(low, high))
                except subprocess.TimeoutExpired:
                    kill_group(proc)
                    self.kills += 1
                    self._after_kill()
                    continue
            # the run ended before its kill: the input is done; kill earlier from now on
            self.finished_early += 1
            assert code == 0, f"run {self.runs} failed ({code}): {log.read_text()}"
            high = max(low + 0.05, min(high, 0.9 * (time.monotonic() - started)))

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
    loop = KillLoop(lambda run: _ingest_command(events, mappings, db), db, tmp_path, random.Random(101))
    loop.run(SHORT_KILLS, 0.05, 1.0)
    loop.run(DEEP_KILLS, 1.0, 3.0)
    loop.finish()
    recovered, violations, integrity = _recover_and_check(db, truth)
    lost, doubled = lost_and_doubled(violations)
    figures.record("kill_loop_ingest", kills=loop.kills, runs=loop.runs, lines=INGEST_LINES,
                   runs_finished_before_their_kill=loop.finished_early, events_lost=lost,
                   events_double_counted=doubled, violations=len(violations))
    assert loop.kills >= SHORT_KILLS + DEEP_KILLS
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
    loop.run(SUBMIT_KILLS, 0.05, 1.0)
    loop.finish()
    history = read_acks(acks)
    recovered, violations, integrity = _recover_and_check(db, truth, history)
    lost, doubled = lost_and_doubled(violations)
    figures.record("kill_loop_submit", kills=loop.kills, runs=loop.runs, lines=SUBMIT_LINES,
                   acknowledgements_checked=len(history), events_lost=lost, events_double_counted=doubled,
                   violations=len(violations))
    assert loop.kills >= SUBMIT_KILLS
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
        command = lambda run: _ingest_command(events, mappings, db)  # noqa: E731
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
