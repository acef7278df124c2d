"""The processor's attempt counting and retry reporting, on the in-memory fake, SQLite and mongomock."""
from __future__ import annotations

import threading

import pytest

from eventdesk.core.faults import FaultPoint
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.processor import Processor

EVENT = '{"source":"c","payload":{"metric":"m","amount":%d,"timestamp":"2024-01-01"}}'


def _store(kind: str, path):
    if kind == "memory":
        from fakes.memory_store import MemoryStore
        return MemoryStore()
    if kind == "sqlite":
        from eventdesk.store.sqlite import SqliteStore
        return SqliteStore(str(path / "p.db"))
    pytest.importorskip("mongomock")
    from fakes.mongo import mongomock_client

    from eventdesk.store.mongo import MongoStore
    return MongoStore("mongodb://localhost/eventdesk_processor", client=mongomock_client())


@pytest.fixture(params=["memory", "sqlite", "mongomock"])
def store(request, tmp_path):
    store = _store(request.param, tmp_path)
    yield store
    store.close()


@pytest.mark.parametrize("max_attempts", [1, 2, 3, 5])
def test_the_attempt_that_reaches_max_attempts_is_dead_letter(store, shipped_mappings, max_attempts):
    processor = Processor(store, Normalizer(shipped_mappings), max_attempts, group_commit=False)
    statuses = []
    for _ in range(max_attempts + 1):
        result = processor.submit(EVENT % 1, FaultPoint.MID_TRANSACTION)
        statuses.append((result.status, store.get_raw(result.raw_id).attempts))
    expected = [("failed", n) for n in range(1, max_attempts)] + [("dead_letter", max_attempts)]
    assert statuses[:max_attempts] == expected
    assert statuses[max_attempts] == ("dead_letter", max_attempts + 1)


def test_failures_of_a_batch_count_attempts_the_same_way(store, shipped_mappings):
    processor = Processor(store, Normalizer(shipped_mappings), 1, group_commit=False)
    batch = [processor.prepare(EVENT % n) for n in range(3)] + [processor.prepare(EVENT % 0)]
    results = processor.apply(batch, FaultPoint.MID_TRANSACTION)
    assert [r.status for r in results] == ["dead_letter"] * 4
    assert store.stats().by_status["dead_letter"] == 3


def test_retry_reports_what_it_fixed(store, shipped_mappings):
    processor = Processor(store, Normalizer(shipped_mappings), 5, group_commit=False)
    for n in range(4):
        processor.submit(EVENT % n, FaultPoint.MID_TRANSACTION)
    assert processor.retry().to_json() == {"selected": 4, "normalized": 4, "duplicate": 0, "failed": 0}
    assert processor.retry().to_json() == {"selected": 0, "normalized": 0, "duplicate": 0, "failed": 0}


def _failed_store(path, mappings, count: int) -> None:
    from eventdesk.store.sqlite import SqliteStore
    setup = SqliteStore(str(path))
    writer = Processor(setup, Normalizer(mappings), 5, group_commit=False)
    writer.apply([writer.prepare(EVENT % n) for n in range(count)], FaultPoint.MID_TRANSACTION)
    setup.close()


@pytest.mark.parametrize("round_", range(3))  # the race is not lost the same way every time
def test_two_concurrent_retries_each_report_only_their_own_work(tmp_path, shipped_mappings, round_):
    from eventdesk.store.sqlite import SqliteStore
    count, path = 60, tmp_path / "race.db"
    _failed_store(path, shipped_mappings, count)
    stores = [SqliteStore(str(path)) for _ in range(2)]
    processors = [Processor(s, Normalizer(shipped_mappings), 5, group_commit=False) for s in stores]
    barrier, summaries = threading.Barrier(2), [None, None]

    def run(i: int) -> None:
        barrier.wait()
        summaries[i] = processors[i].retry(batch_size=2 + round_)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = stores[0].stats()
    for s in stores:
        s.close()
    reported = [s.to_json() for s in summaries]
    assert sum(s.normalized for s in summaries) == count, reported
    assert sum(s.selected for s in summaries) == count, reported
    assert stats.normalized == count and stats.by_status["failed"] == 0
