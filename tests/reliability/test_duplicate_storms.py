"""4. Duplicate storms: threads and processes sending overlapping events to one store at once.

Two processes of eight submitter threads each (submitter.py) get every line of a generated file
three times between them, in different orders, all starting at the same instant; separately,
two ``eventdesk ingest`` processes import the same file at the same time. The end state must be
the truth file exactly, with one receipt per line sent, and no submitter may see a failure
(in particular no "database is locked").
"""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from eventdesk.store.sqlite import SqliteStore
from reliability.harness import CLI, HERE, child_env, read_acks
from reliability.invariants import Expected, check, count_kinds, lost_and_doubled

STORM_LINES, PROCESSES, THREADS, COPIES = 2_000, 2, 8, 3
INGEST_LINES, INGESTERS = 5_000, 2


def storm(events, mappings, db, acks_dir, guard: bool = True, lines: int = STORM_LINES):
    """Runs the storm; returns (acks, stderr of each process)."""
    start_at = time.time() + 1.5  # both processes are up and waiting by then
    procs = []
    for process in range(PROCESSES):
        procs.append(subprocess.Popen(
            [sys.executable, str(HERE / "submitter.py"), str(db), str(mappings), str(events),
             str(acks_dir / f"acks{process}.jsonl"), "--process", str(process), "--processes", str(PROCESSES),
             "--threads", str(THREADS), "--copies", str(COPIES), "--seed", "7", "--start-at", str(start_at)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(guard)))
    errors = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        errors.append(f"exit {proc.returncode}: {err.decode(errors='replace')}" if proc.returncode else "")
    acks = [ack for process in range(PROCESSES) for ack in read_acks(acks_dir / f"acks{process}.jsonl")]
    return acks, errors


def _verdict(db, truth, acks, lines_sent, guard=True):
    store = SqliteStore(str(db), unique_indexes=guard)
    try:
        expected = Expected.from_truth(truth, acknowledged=acks)
        expected.lines = lines_sent
        return check(store, expected)
    finally:
        store.close()


@pytest.mark.slow
def test_threads_and_processes_submitting_overlapping_events(generate, tmp_path, figures):
    events, truth, mappings = generate(STORM_LINES, seed=401)
    db = tmp_path / "storm.db"
    acks, errors = storm(events, mappings, db, tmp_path)
    failures = [f"{a.outcome}: {a}" for a in acks if a.outcome in ("failed", "exception")]
    violations = _verdict(db, truth, acks, STORM_LINES * COPIES)
    lost, doubled = lost_and_doubled(violations)
    figures.record("duplicate_storm_submit", processes=PROCESSES, threads_per_process=THREADS,
                   lines=STORM_LINES, submissions=len(acks), events_lost=lost, events_double_counted=doubled)
    assert errors == [""] * PROCESSES, errors
    assert len(acks) == STORM_LINES * COPIES
    assert not failures, "\n".join(failures[:20])  # "database is locked" included
    assert not violations, "\n".join(map(str, violations))


@pytest.mark.slow
def test_concurrent_ingests_of_the_same_file(generate, tmp_path, figures):
    events, truth, mappings = generate(INGEST_LINES, seed=402)
    db = tmp_path / "ingests.db"
    procs = [subprocess.Popen([*CLI, "ingest", str(events), "--mappings", str(mappings), "--store", str(db),
                               "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
             for _ in range(INGESTERS)]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0 and not err.strip(), err.decode(errors="replace")
        assert b'"failed": 0' in out, out
    violations = _verdict(db, truth, (), INGEST_LINES * INGESTERS)
    lost, doubled = lost_and_doubled(violations)
    figures.record("duplicate_storm_ingest", processes=INGESTERS, lines=INGEST_LINES, events_lost=lost,
                   events_double_counted=doubled)
    assert not violations, "\n".join(map(str, violations))


# -- 8. negative control: the same storm without the unique indexes must be caught

@pytest.mark.slow
def test_negative_control_storm_without_dedup_guard(generate, tmp_path, figures):
    events, truth, mappings = generate(500, seed=403)
    db = tmp_path / "unguarded.db"
    acks, errors = storm(events, mappings, db, tmp_path, guard=False)
    violations = _verdict(db, truth, acks, 500 * COPIES, guard=False)
    kinds = count_kinds(violations)
    figures.record("negative_control_storm", submissions=len(acks), violations_reported=len(violations),
                   kinds=dict(kinds))
    assert errors == [""] * PROCESSES, errors
    assert kinds["duplicated"] > 0, "the checker missed double counting with the guard removed"
