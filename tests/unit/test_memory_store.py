"""What the in-memory fake store promises beyond the contract suite it passes.

Schema version and read-only as the real adapters have them (design section 11), one writer at
a time with readers that never wait, scripted faults, and loud errors for a caller's misuse.
"""
from __future__ import annotations

import hashlib
import threading
import time

import pytest
from fakes.memory_store import SCHEMA_VERSION, MemoryData, MemoryStore

from eventdesk.core.errors import StoreBug, StoreReadOnly, StoreUnavailable
from eventdesk.core.ports import NewRaw, RawUpdate, StoreVersionError


def raw(n: int) -> NewRaw:
    return NewRaw("c", f"event {n}", "normalized", hashlib.sha256(b"%d" % n).hexdigest(), None, 1,
                  "2024-01-01T00:00:00Z")


def write(store: MemoryStore, *rows: NewRaw) -> list:
    with store.unit_of_work() as uow:
        ids = uow.insert_raws(list(rows))
        uow.commit()
    return ids


def test_a_newer_schema_version_is_refused_and_nothing_is_written():
    data = MemoryData(schema_version=SCHEMA_VERSION + 1)
    for read_only in (False, True):
        with pytest.raises(StoreVersionError, match="newer eventdesk"):
            MemoryStore(data, read_only=read_only)
    assert data.raws == {} and data.mappings == []


def test_read_only_reads_and_refuses_every_write():
    data = MemoryData()
    write(MemoryStore(data), raw(1))
    reader = MemoryStore(data, read_only=True)
    assert reader.stats().raw_total == 1
    with pytest.raises(StoreReadOnly):
        with reader.unit_of_work():
            pass
    with pytest.raises(StoreReadOnly):
        reader.save_mappings("{}", "2024-01-01T00:00:00Z")
    assert reader.current_mappings() is None


def test_two_stores_over_one_data_see_each_others_commits():
    data = MemoryData()
    first, second = MemoryStore(data), MemoryStore(data)
    (raw_id,) = write(first, raw(1))
    assert second.get_raw(raw_id).text == "event 1"
    assert write(second, raw(1)) == [None]  # one unique index for both


def test_readers_never_wait_for_a_writer_and_see_only_commits():
    store = MemoryStore()
    inside, release = threading.Event(), threading.Event()

    def writer() -> None:
        with store.unit_of_work() as uow:
            uow.insert_raws([raw(1)])
            inside.set()
            release.wait(5)
            uow.commit()

    thread = threading.Thread(target=writer)
    thread.start()
    assert inside.wait(5)
    started = time.monotonic()
    assert store.stats().raw_total == 0  # not committed yet
    assert time.monotonic() - started < 0.5
    release.set()
    thread.join()
    assert store.stats().raw_total == 1


def test_writers_take_turns():
    store, order = MemoryStore(), []

    def work(n: int) -> None:
        with store.unit_of_work() as uow:
            order.append(("in", n))
            time.sleep(0.01)
            uow.insert_raws([raw(n)])
            order.append(("out", n))
            uow.commit()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(order[i][0] == "in" and order[i + 1] == ("out", order[i][1]) for i in range(0, 8, 2))
    assert store.stats().raw_total == 4


def test_a_scripted_fault_strikes_as_often_as_told():
    store = MemoryStore()
    store.fail("insert_raws", StoreUnavailable("down"), times=2)
    for _ in range(2):
        with pytest.raises(StoreUnavailable, match="down"):
            write(store, raw(1))
    assert write(store, raw(1)) != [None]


def test_a_landed_commit_fault_applies_the_writes_then_raises():
    store = MemoryStore()
    store.fail("commit", landed=True)
    with pytest.raises(StoreUnavailable):
        with store.unit_of_work() as uow:
            uow.insert_raws([raw(1)])
            uow.mark("t")
            uow.commit()
    assert store.has_mark("t") and store.stats().raw_total == 1


def test_misuse_is_a_bug_not_a_silent_no_op():
    store = MemoryStore()
    with store.unit_of_work() as uow:
        with pytest.raises(StoreBug, match="no raw event"):
            uow.update_raws([RawUpdate(99, "failed", 1, None, None, "")])
        with pytest.raises(StoreBug, match="no raw event"):
            uow.add_receipts({99: 1})
        with pytest.raises(StoreBug, match="inside another"):
            with store.unit_of_work():
                pass
        uow.commit()
        with pytest.raises(StoreBug, match="twice"):
            uow.commit()
    store.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        store.stats()
