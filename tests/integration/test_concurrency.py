"""Concurrent submitters never count a fact twice: threads, processes, and negative controls."""
from __future__ import annotations

import json
import multiprocessing
import random
import threading
from decimal import Decimal

import pytest

from eventdesk.app import App, shipped_mappings
from eventdesk.core.model import Outcome
from eventdesk.store.sqlite import SqliteStore

EVENTS = 500


def facts(n: int = EVENTS) -> list[tuple[str, str, Decimal, str]]:
    rng = random.Random(42)
    return [(f"client_{'BC'[i % 2]}", rng.choice(["sales", "visits"]), Decimal(rng.randrange(1, 10**6)) / 100,
             f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z") for i in range(n)]


def render(fact: tuple[str, str, Decimal, str], variant: int) -> str:
    """The same fact written three ways: the same line, and two semantic variants."""
    client, metric, amount, ts = fact
    if client == "client_C":
        payload = {"type": metric, "total": str(amount), "ts": ts}
    else:
        payload = {"metric": metric, "amount": str(amount), "timestamp": ts}
    if variant == 1:
        payload = {**payload, "extra": "ignored"}
    elif variant == 2:
        key = "type" if client == "client_C" else "metric"
        payload = {**payload, key: f"  {metric.upper()} "}
    return json.dumps({"source": client, "payload": payload})


def open_app(path: str, unique: bool = True) -> App:
    store = SqliteStore(path, unique_indexes=unique)
    mappings = shipped_mappings()
    return App(store, mappings, store.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z"))


def submit_rounds(path: str, rounds: int, seed: int, unique: bool = True) -> dict[str, int]:
    app = open_app(path, unique)
    rng = random.Random(seed)
    lines = [render(fact, rng.randrange(3)) for fact in facts() for _ in range(rounds)]
    rng.shuffle(lines)
    outcomes: dict[str, int] = {}
    try:
        for line in lines:
            outcome = app.submit(line).outcome.value
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        app.close()
    return outcomes



def batch_rounds(path: str, rounds: int, seed: int, unique: bool = True, size: int = 100) -> dict[str, int]:
    """``submit_rounds`` as HTTP batches (``http_events.post_batch``: the bulk write, answered per event)."""
    from eventdesk.app import http_events
    app = open_app(path, unique)
    rng = random.Random(seed)
    lines = [render(fact, rng.randrange(3)).encode() for fact in facts() for _ in range(rounds)]
    rng.shuffle(lines)
    outcomes: dict[str, int] = {}
    try:
        for start in range(0, len(lines), size):
            body = b"[" + b",".join(lines[start:start + size]) + b"]"
            for result in http_events.post_batch(app, body, False, 10_000, None, False, None).body["results"]:
                outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
    finally:
        app.close()
    return outcomes


def run_threads(path: str, threads: int, rounds: int, unique: bool = True, rounds_of=submit_rounds) -> list[dict]:
    results: list[dict] = [{} for _ in range(threads)]

    def work(index: int) -> None:
        results[index] = rounds_of(path, rounds, seed=index, unique=unique)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def _process_main(path: str, rounds: int, seed: int, unique: bool, queue) -> None:
    queue.put(submit_rounds(path, rounds, seed, unique))


def run_processes(path: str, processes: int, rounds: int, unique: bool = True) -> list[dict]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    procs = [context.Process(target=_process_main, args=(path, rounds, 100 + i, unique, queue))
             for i in range(processes)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return results


def expected_sums() -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = {}
    for client, metric, amount, _ in facts():
        sums[(client, metric)] = sums.get((client, metric), Decimal(0)) + amount
    return sums


def check_store(path: str, submissions: int, results: list[dict]) -> None:
    from eventdesk.core.queries import AggregateQuery
    store = SqliteStore(path)
    try:
        stats = store.stats()
        assert stats.normalized == EVENTS
        assert sum(sum(r.values()) for r in results) == submissions
        assert sum(r.get("accepted", 0) for r in results) == EVENTS
        assert sum(r.get("failed", 0) for r in results) == 0
        rows = store.aggregates(AggregateQuery())
        assert {(r.client_id, r.metric): Decimal(r.sum) for r in rows} == expected_sums()
        assert stats.raw_total + stats.exact_duplicates == submissions
        from eventdesk.core.queries import RawQuery
        for status, count in stats.by_status.items():  # the kept counts equal the rows
            assert store.count_raw(RawQuery(statuses=(status,))) == count, status
    finally:
        store.close()


@pytest.mark.slow
def test_eight_threads_submitting_the_same_events_count_each_once(tmp_path):
    path = str(tmp_path / "threads.db")
    results = run_threads(path, threads=8, rounds=8)
    check_store(path, 8 * 8 * EVENTS, results)


def test_four_threads_posting_batches_of_the_same_events_count_each_once(tmp_path):
    path = str(tmp_path / "batches.db")
    results = run_threads(path, threads=4, rounds=3, rounds_of=batch_rounds)
    check_store(path, 4 * 3 * EVENTS, results)


def test_negative_control_batches_without_unique_indexes_count_twice(tmp_path):
    path = str(tmp_path / "unguarded_batches.db")
    run_threads(path, threads=2, rounds=1, unique=False, rounds_of=batch_rounds)
    store = SqliteStore(path, unique_indexes=False)
    try:
        assert store.stats().normalized > EVENTS
    finally:
        store.close()


@pytest.mark.slow
def test_two_processes_on_one_file_count_each_once(tmp_path):
    path = str(tmp_path / "procs.db")
    open_app(path).close()  # schema first, so both processes open an existing store
    results = run_processes(path, processes=2, rounds=4)
    check_store(path, 2 * 4 * EVENTS, results)


def test_negative_control_without_unique_indexes_counts_go_wrong(tmp_path):
    path = str(tmp_path / "unguarded.db")
    run_threads(path, threads=4, rounds=1, unique=False)
    store = SqliteStore(path, unique_indexes=False)
    try:
        assert store.stats().normalized > EVENTS  # the guard is what keeps it at EVENTS
    finally:
        store.close()


def test_negative_control_processes_without_unique_indexes(tmp_path):
    path = str(tmp_path / "unguarded_procs.db")
    open_app(path, unique=False).close()
    run_processes(path, processes=2, rounds=1, unique=False)
    store = SqliteStore(path, unique_indexes=False)
    try:
        assert store.stats().normalized > EVENTS
    finally:
        store.close()


def test_outcomes_under_threads_name_the_same_ids(tmp_path):
    path = str(tmp_path / "ids.db")
    line = render(facts(1)[0], 0)
    app = open_app(path)
    seen: list = []
    lock = threading.Lock()

    def work() -> None:
        result = app.submit(line)
        with lock:
            seen.append((result.outcome, result.raw_id, result.normalized_id))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    app.close()
    assert sorted(o.value for o, _, _ in seen) == ["accepted"] + ["duplicate"] * 7
    assert len({(r, n) for _, r, n in seen}) == 1
    assert Outcome.ACCEPTED in {o for o, _, _ in seen}
