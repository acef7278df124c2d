"""The unit of work, on every store: rolled back unless committed, unique indexes decide.

cosmicpython's test_uow.py in eventdesk's words: both paths (commit, no commit, an error inside)
and what the port promises of bulk inserts (None where the index refused the row).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from eventdesk.core.ports import NewNormalized, NewRaw, RawUpdate
from eventdesk.core.queries import RawQuery

NOW = "2024-03-01T00:00:00.000000Z"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def raw(n: int, status: str = "normalized") -> NewRaw:
    return NewRaw("c", f"event {n}", status, digest(f"raw {n}"), None, 1, NOW)


def normalized(raw_id, n: int, amount: str = "1") -> NewNormalized:
    return NewNormalized(raw_id, "c", "m", Decimal(amount), datetime(2024, 3, 1, n % 24, tzinfo=timezone.utc),
                         digest(f"normalized {n}"), ())


def committed(store, *rows: NewRaw) -> list:
    with store.unit_of_work() as uow:
        ids = uow.insert_raws(list(rows))
        uow.commit()
    return ids


def test_what_is_not_committed_is_rolled_back(store):
    with store.unit_of_work() as uow:
        (raw_id,) = uow.insert_raws([raw(1)])
        uow.insert_normalized([normalized(raw_id, 1)])
        uow.mark("not-committed")
    stats = store.stats()
    assert (stats.raw_total, stats.normalized) == (0, 0)
    assert store.get_raw(raw_id) is None
    assert committed(store, raw(1))[0] is not None  # its content hash is free again


def test_an_error_inside_rolls_back_and_propagates(store):
    (kept,) = committed(store, raw(1, "failed"))
    with pytest.raises(RuntimeError, match="boom"):
        with store.unit_of_work() as uow:
            uow.update_raws([RawUpdate(kept, "normalized", 2, None, None, NOW)])
            uow.add_receipts({kept: 3})
            uow.insert_raws([raw(2)])
            raise RuntimeError("boom")
    stored = store.get_raw(kept)
    assert (stored.status, stored.attempts, stored.receipts) == ("failed", 1, 1)
    assert store.stats().raw_total == 1


def test_a_commit_makes_everything_visible_with_its_mark(store):
    with store.unit_of_work() as uow:
        (raw_id,) = uow.insert_raws([raw(1)])
        (normalized_id,) = uow.insert_normalized([normalized(raw_id, 1, "0.1")])
        uow.add_receipts({raw_id: 1})
        uow.mark("committed-token")
        uow.commit()
    assert store.has_mark("committed-token") and not store.has_mark("other-token")
    assert store.get_raw(raw_id).receipts == 2
    assert store.get_raw(raw_id).normalized_id == normalized_id
    assert store.normalized_for_raw(raw_id).amount == "0.1"
    assert store.stats().exact_duplicates == 1


def test_bulk_inserts_return_none_where_the_unique_index_refused(store):
    (first,) = committed(store, raw(1))
    with store.unit_of_work() as uow:
        ids = uow.insert_raws([raw(2), raw(1), raw(3), raw(2)])  # one stored before, one repeated here
        assert ids[1] is None and ids[3] is None and None not in (ids[0], ids[2])
        assert len({first, ids[0], ids[2]}) == 3
        found = uow.find_raws([digest("raw 1"), digest("raw 2"), digest("raw 9")])
        assert set(found) == {digest("raw 1"), digest("raw 2")}  # its own writes included
        assert found[digest("raw 2")].id == ids[0]
        normal = uow.insert_normalized([normalized(first, 1), normalized(ids[0], 1), normalized(ids[2], 2)])
        assert normal[0] is not None and normal[1] is None and normal[2] is not None
        assert uow.find_normalized([digest("normalized 1")]) == {digest("normalized 1"): (normal[0], first)}
        uow.commit()
    assert store.stats().raw_total == 3 and store.stats().normalized == 2


def test_updates_inside_a_unit_are_seen_by_its_own_reads(store):
    (raw_id,) = committed(store, raw(1, "failed"))
    with store.unit_of_work() as uow:
        uow.update_raws([RawUpdate(raw_id, "dead_letter", 5, "gave up", None, NOW)])
        assert uow.find_raws([digest("raw 1")])[digest("raw 1")].status == "dead_letter"
        uow.commit()
    assert store.count_raw(RawQuery(statuses=("dead_letter",))) == 1
    assert store.get_raw(raw_id).error == "gave up"


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_without_the_unique_indexes_a_fact_is_counted_twice(kind, tmp_path):
    """Negative control: the indexes, not a read before the write, keep the counts right."""
    from fakes.memory_store import MemoryStore

    from eventdesk.app import App, shipped_mappings
    from eventdesk.store.sqlite import SqliteStore
    event = '{"source":"c","payload":{"metric":"m","amount":"5","timestamp":"2024-01-01T00:00:00Z"}}'
    same_fact = '{"payload":{"timestamp":"2024-01-01T00:00:00Z","amount":5,"metric":"m"},"source":"c"}'
    counts = []
    for unique in (True, False):
        store = MemoryStore(unique_indexes=unique) if kind == "memory" else \
            SqliteStore(str(tmp_path / f"{unique}.db"), unique_indexes=unique)
        app = App(store, shipped_mappings(), 1)
        for text in (event, event, same_fact):
            app.submit(text)
        counts.append((store.stats().raw_total, store.stats().normalized))
        store.close()
    assert counts == [(2, 1), (3, 3)]
