"""2. Fail the Nth store call, for every N on the ingest, HTTP batch and submit paths.

A clean run counts the store and unit-of-work calls a workload makes (C of them); then for every
N in 1..C the same workload runs over a FaultyStore that fails call N once (transient), or call
N and every call after it (persistent), or lets the N-th commit happen and loses its reply.
After each: every event is all or nothing (its raw status and its normalized event agree), every
acknowledged event is stored under the ids it was given, a transient fault leaves every raw
event kept, and once the store is healthy again a retry (and the client's re-send) ends in
exactly the history's end state.
"""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from eventdesk.core.rows import CONTENT_HASH
from reliability.faulty_store import FaultPlan, FaultyStore
from reliability.harness import open_app, with_store
from reliability.history import REJECTS, Fact, Model, render
from reliability.invariants import Ack, Expected, check, lost_and_doubled, read_all

INGEST_LINES, INGEST_BATCH = 150, 50


@pytest.fixture
def template(tmp_path):
    """A store file with its schema and mappings, copied afresh for every trial."""
    def make(mappings=None):
        path = tmp_path / "template.db"
        app = open_app(path, mappings)
        app.store._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        app.close()
        return path
    return make


def _fresh(template_path, tmp_path, name: str):
    path = tmp_path / f"{name}.db"
    shutil.copyfile(template_path, path)
    return path


def _ack(result) -> Ack:
    if isinstance(result, Ack):
        return result
    return Ack(result.content_hash, result.outcome.value, result.raw_id, result.normalized_id)


# -- the ingest path

def _ingest(app, events, record: list) -> None:
    """``App.ingest`` of the file in batches, recording what each line was told: bulk ingest
    tells counts per batch, so a line of a batch with no failure is acknowledged as counted."""
    apply_rows = app.processor.apply_rows

    def recording(rows, *args, **kwargs):
        outcome = apply_rows(rows, *args, **kwargs)
        told = "failed" if outcome.counts.get("failed") else "counted"
        record.extend(Ack(row[CONTENT_HASH].hex(), told) for row in rows)
        return outcome
    app.processor.apply_rows = recording
    with open(events, "rb") as stream:
        summary = app.ingest(stream, batch_size=INGEST_BATCH)
    del app.processor.apply_rows
    assert len(record) >= summary.lines, "ingest no longer goes through Processor.apply_rows"
    # every line is read, unless the store failed so that not even failures could be stored
    assert summary.lines == INGEST_LINES or (summary.stopped and summary.errors), summary


# -- the HTTP batch path (the bulk write with one answer per event)

HTTP_BATCH = 50


def _post_batches(app, events, record: list) -> None:
    """The file posted as NDJSON batches of HTTP_BATCH (``http_events.post_batch``), recording
    what each event was told: its own outcome and ids, as the HTTP reply gives them."""
    from eventdesk.app import http_events
    submit_rows = app.processor.submit_rows
    hashes: list[str] = []

    def recording(rows, *args):
        results = submit_rows(rows, *args)
        hashes.extend(r.content_hash for r in results)
        return results
    app.processor.submit_rows = recording
    lines = open(events, "rb").read().splitlines()
    for start in range(0, len(lines), HTTP_BATCH):
        part = lines[start:start + HTTP_BATCH]
        posted = http_events.post_batch(app, b"\n".join(part) + b"\n", True, 10_000, None, False, None)
        assert posted.body["lines"] == len(part), posted.body
        record.extend(Ack(digest, r["outcome"], r["raw_id"], r["normalized_id"])
                      for digest, r in zip(hashes[start:], posted.body["results"]))
    del app.processor.submit_rows
    assert len(hashes) == len(lines), "HTTP batches no longer go through Processor.submit_rows"


MODES = ["transient", "persistent", "lost_reply"]
#: the bulk write paths: ``ingest`` (counts per batch) and HTTP batches (an answer per event)
SENDERS = {"ingest": (_ingest, 201), "http_batch": (_post_batches, 202)}


def _trials(mode: str, calls: int, commits: int):
    """Call numbers to fail: every store call, or (lost_reply) every commit."""
    return range(1, (commits if mode == "lost_reply" else calls) + 1)


@pytest.mark.slow
@pytest.mark.parametrize("path", SENDERS)
@pytest.mark.parametrize("mode", MODES)
def test_fail_every_store_call_on_the_bulk_paths(mode, path, generate, template, tmp_path, figures):
    send, seed = SENDERS[path]
    events, truth, mappings = generate(INGEST_LINES, seed=seed)
    base = template(mappings)
    hashes = {}
    plan = FaultPlan()
    app = open_app(_fresh(base, tmp_path, "clean"), mappings)
    clean: list = []
    send(with_store(app, FaultyStore(app.store, plan)), events, clean)
    assert not check(app.store, Expected.from_truth(truth))
    app.close()
    calls, commits, sites = plan.calls, plan.commits, set(plan.log)
    assert {"store.unit_of_work", "uow.ingest_rows", "uow.mark", "uow.commit"} <= sites, sites
    for line, result in zip(open(events, "rb").read().splitlines(), clean):
        hashes[line] = result.content_hash

    problems, faults, trials, lost, doubled = [], 0, 0, 0, 0
    for n in _trials(mode, calls, commits):
        trials += 1
        app = open_app(_fresh(base, tmp_path, f"trial{trials}"), mappings)
        plan.arm(n, mode)
        told: list = []
        send(with_store(app, FaultyStore(app.store, plan)), events, told)
        faults += plan.fired
        where = f"{mode} fault at call {n} ({plan.fired_at})"
        if not plan.fired:
            problems.append(f"{where}: never fired")
        problems += [f"{where}: {v}" for v in check(app.store)]  # all or nothing, per event
        acks = [_ack(r) for r in told if _ack(r).outcome != "failed"]
        if mode == "transient":  # the failure was recorded: every raw event kept
            kept = {raw.content_hash for raw in _all_raws(app.store)}
            missing = set(hashes.values()) - kept
            if missing:
                problems.append(f"{where}: {len(missing)} raw events not kept")
        plan.heal()
        app.processor.retry()
        if mode != "persistent":  # every raw event was kept: the retry alone finishes the history
            after_retry = Expected.from_truth(truth, acknowledged=acks)
            problems += [f"{where}, after retry: {v}" for v in check(app.store, after_retry)]
        resent: list = []
        send(app, events, resent)  # the client sends the file again
        acks += [_ack(r) for r in resent]
        violations = check(app.store, Expected.from_truth(truth, resent=True, acknowledged=acks))
        problems += [f"{where}, after retry and re-send: {v}" for v in violations]
        trial_lost, trial_doubled = lost_and_doubled(violations)
        lost, doubled = lost + trial_lost, doubled + trial_doubled
        app.close()
    figures.record(f"fail_nth_call_{path}_{mode}", trials=trials, faults_injected=faults, store_calls_per_run=calls,
                   call_sites=sorted(sites), events_lost=lost, events_double_counted=doubled)
    assert not problems, "\n".join(problems[:40])


def _all_raws(store):
    return read_all(store).raws


def test_a_failed_batch_still_counts_every_line_it_received(template, tmp_path):
    settled, new = (render(f, 0) for f in _facts()[:2])
    app = open_app(_fresh(template(None), tmp_path, "receipts"), None)
    assert app.submit(settled).outcome.value == "accepted"
    plan = FaultPlan()
    plan.arm(1, "transient")  # the batch's unit of work fails once; the failure is then recorded
    told = with_store(app, FaultyStore(app.store, plan)).apply_raw_batch([settled, new, new])
    assert [r.outcome.value for r in told] == ["failed"] * 3 and plan.fired == 1
    app.processor.retry()
    receipts = sum(raw.receipts for raw in _all_raws(app.store))
    app.close()
    assert receipts == 4, f"4 lines received in all, receipts add up to {receipts}"


# -- the submit path

def _facts() -> list[Fact]:
    day = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
    amounts = ["12.5", "0.000001", "-7.25", "1E+20", "1200", "99.99"]
    return [Fact(f"shop_{i % 2 + 1}", ["sales", "page views", "refunds"][i % 3], Decimal(a),
                 day.replace(day=1 + i)) for i, a in enumerate(amounts)]


def submissions() -> list[tuple[object, object, str]]:
    """(content key, fact, text): new facts, exact re-sends, semantic variants, rejected input."""
    f = _facts()
    plan = [(0, 0, 0), (1, 0, 0), (0, 0, 1), (0, 1, 0), ("r", 0, 0), ("r", 0, 0), (2, 2, 0),
            (1, 3, 1), (2, 2, 1), (3, 1, 0), (4, 0, 0), ("r", 4, 0), (3, 1, 1), (5, 3, 0), (4, 2, 0),
            (5, 0, 1)]
    out = []
    for which, variant, layout in plan:
        if which == "r":
            out.append((("rejected", variant), None, REJECTS[variant]))
        else:
            out.append(((f[which], variant), f[which], render(f[which], variant, layout)))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_fail_every_store_call_on_the_submit_path(mode, template, tmp_path, figures):
    sequence = submissions()
    base = template(None)
    plan = FaultPlan()
    app = open_app(_fresh(base, tmp_path, "clean"), None)
    model = Model()
    faulty = with_store(app, FaultyStore(app.store, plan))
    for key, fact, text in sequence:
        assert faulty.submit(text).outcome.value == model.submit(key, fact), text
    assert not check(app.store, model.expected())
    app.close()
    calls, commits = plan.calls, plan.commits

    problems, faults, trials, lost, doubled = [], 0, 0, 0, 0
    for n in _trials(mode, calls, commits):
        trials += 1
        app = open_app(_fresh(base, tmp_path, f"trial{trials}"), None)
        plan.arm(n, mode)
        faulty = with_store(app, FaultyStore(app.store, plan))
        model, acks, failed = Model(), [], []
        for key, fact, text in sequence:
            fired = plan.fired
            result = faulty.submit(text)
            fault = None
            if plan.fired > fired:
                # a lost reply at the store's commit is found out by the commit mark: no fault
                fault = {"transient": "mid_transaction", "persistent": "before_write",
                         "lost_reply": None}[mode]
            elif mode == "persistent" and plan.fired:
                fault = "before_write"
            predicted = model.submit(key, fact, fault)
            if result.outcome.value != predicted:
                problems.append(f"{mode} fault at call {n}: {text[:60]} came to {result.outcome.value},"
                                f" the model says {predicted}")
            if result.outcome.value == "failed":
                failed.append((key, fact, text))
            else:
                acks.append(_ack(result))
        faults += plan.fired
        where = f"{mode} fault at call {n} ({plan.fired_at})"
        expected = model.expected()
        expected.acknowledged = acks
        problems += [f"{where}: {v}" for v in check(app.store, expected)]
        plan.heal()
        for key, fact, text in failed:  # the client retries what failed, once the store is back
            result = faulty.submit(text)
            acks.append(_ack(result))
            if result.outcome.value != model.submit(key, fact):
                problems.append(f"{where}: the re-send of {text[:60]} came to {result.outcome.value}")
        app.processor.retry()
        model.retry()
        expected = model.expected()
        expected.acknowledged = acks
        if expected.failed:
            problems.append(f"{where}: the model leaves {expected.failed} failed after retry")
        violations = check(app.store, expected)
        problems += [f"{where}, after re-send and retry: {v}" for v in violations]
        trial_lost, trial_doubled = lost_and_doubled(violations)
        lost, doubled = lost + trial_lost, doubled + trial_doubled
        app.close()
    figures.record(f"fail_nth_call_submit_{mode}", trials=trials, faults_injected=faults, store_calls_per_run=calls,
                   submissions_per_run=len(sequence), events_lost=lost, events_double_counted=doubled)
    assert not problems, "\n".join(problems[:40])
