"""Re-normalization contract (design 12) on every store that offers it: the unique index decides
semantic duplicates anew, counts and sums stay exact, scope and statuses are respected, runs
are recorded and resumable, and a dry run changes nothing."""
from __future__ import annotations

import json
import threading

import pytest
from renormalize_support import holdings, mappings_of

from eventdesk.app import App
from eventdesk.app import renormalize as service
from eventdesk.app.renormalize import scope_of
from eventdesk.core.errors import StoreUnavailable
from eventdesk.core.faults import FaultPoint

A_PRICE = {"clients": {"client_A": {"fields": {"metric": ["value"], "amount": ["price", "amount"],
                                               "timestamp": ["date"]}}}}
A_AMOUNT = {"clients": {"client_A": {"fields": {"metric": ["value"], "amount": ["amount", "price"],
                                                "timestamp": ["date"]}}}}


def line(**payload):
    return json.dumps({"source": "client_A", "payload": {"value": "clicks", "date": "2024-01-02", **payload}})


PRICE5 = line(price="5")
AMOUNT5 = line(amount="5")
BOTH = line(price="7", amount="5")  # 7 by A_PRICE, 5 by A_AMOUNT


@pytest.fixture
def renorm_app(store):
    if not hasattr(store, "renormalize_unit"):
        pytest.skip("renormalize is not implemented on this store yet (see docs/renormalize.md)")
    mappings = mappings_of(A_PRICE)
    return App(store, mappings, store.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z"))


def fresh(app: App, lines, document) -> dict:
    """What a fresh ingest of the same lines with ``document`` holds (memory store)."""
    from fakes.memory_store import MemoryStore
    other = MemoryStore()
    mappings = mappings_of(document)
    fresh_app = App(other, mappings, other.save_mappings(mappings.to_json(), "2024-01-01T00:00:00Z"))
    for text in lines:
        fresh_app.submit(text)
    return holdings(other)


def run(app: App, document=None, **kwargs):
    if document is not None:
        app.set_mappings(mappings_of(document))
    return service.renormalize(app, scope_of(), chunk_size=kwargs.pop("chunk_size", 2), **kwargs)


def submit_all(app, lines):
    return [app.submit(text) for text in lines]


def test_event_that_now_equals_another_becomes_its_semantic_duplicate(renorm_app):
    lines = [PRICE5, BOTH]
    results = submit_all(renorm_app, lines)
    summary = run(renorm_app, A_AMOUNT)
    assert summary.to_json() == {"examined": 2, "changed": 1, "unchanged": 1, "now_semantic_duplicate": 1,
                                 "no_longer_duplicate": 0, "mapping_version": 2}
    raw = renorm_app.store.get_raw(results[1].raw_id)
    assert (raw.status, raw.duplicate_of) == ("duplicate", results[0].normalized_id)
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_AMOUNT)


def test_original_that_changes_hands_its_event_to_its_first_duplicate(renorm_app):
    lines = [BOTH, line(price="7", amount="1"), line(price="7", k=1), line(amount="7", k=2)]  # all 7 first
    results = submit_all(renorm_app, lines)
    original = results[0].normalized_id
    assert [r.status for r in results] == ["normalized", "duplicate", "duplicate", "duplicate"]
    summary = run(renorm_app, A_AMOUNT)  # 5, 1, 7, 7: the 7 passes to raw 2, then (raw 2 is 1) to raw 3
    holder = renorm_app.store.get_normalized(original)
    assert (holder.amount, holder.raw_id) == ("7", results[2].raw_id)
    assert renorm_app.store.get_raw(results[2].raw_id).status == "normalized"
    assert renorm_app.store.get_raw(results[3].raw_id).duplicate_of == original
    assert summary.counts["examined"] == 4 and summary.counts["changed"] == 2
    assert summary.counts["no_longer_duplicate"] == 2  # raw 2, then raw 3, by hand-over
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_AMOUNT)


def test_duplicates_of_a_changed_original_keep_its_event_counted_once(renorm_app):
    lines = [BOTH, line(price="7", date="2024-01-02", extra=1), line(price="7", extra=2)]
    results = submit_all(renorm_app, lines)
    before = renorm_app.store.stats()
    run(renorm_app, A_AMOUNT, chunk_size=1)  # the original alone in its chunk: the hand-over crosses chunks
    after = renorm_app.store.stats()
    assert after.normalized == before.normalized + 1  # 7 kept by the first duplicate, 5 new
    first = renorm_app.store.get_raw(results[1].raw_id)
    second = renorm_app.store.get_raw(results[2].raw_id)
    assert first.status == "normalized" and first.normalized_id == results[0].normalized_id
    assert (second.status, second.duplicate_of) == ("duplicate", results[0].normalized_id)
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_AMOUNT)


def test_duplicate_that_no_longer_equals_becomes_its_own_normalized_event(renorm_app):
    lines = [AMOUNT5, line(price="5", amount="9")]  # 5 and 5 by A_PRICE; 5 and 9 by A_AMOUNT
    results = submit_all(renorm_app, lines)
    assert results[1].status == "duplicate"
    summary = run(renorm_app, A_AMOUNT)
    assert summary.counts["no_longer_duplicate"] == 1 and summary.counts["changed"] == 1
    raw = renorm_app.store.get_raw(results[1].raw_id)
    assert raw.status == "normalized" and raw.duplicate_of is None
    made = renorm_app.store.get_normalized(raw.normalized_id)
    assert (made.amount, made.mapping_version) == ("9", 2)
    assert renorm_app.store.get_normalized(results[0].normalized_id).mapping_version == 1  # unchanged: kept
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_AMOUNT)


def test_sums_min_and_max_follow_a_removed_extreme(renorm_app):
    lines = [line(price="100", amount="1"), line(price="2"), line(price="3", date="2024-01-03")]
    submit_all(renorm_app, lines)
    run(renorm_app, A_AMOUNT)
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_AMOUNT)
    total = holdings(renorm_app.store)["totals"][0]
    assert (total.count, total.sum, total.min, total.max) == (3, "6", "1", "3")


def test_back_and_forth_returns_to_the_first_holdings(renorm_app):
    lines = [PRICE5, BOTH, AMOUNT5, line(price="7"), line(amount="7", price="5")]
    submit_all(renorm_app, lines)
    start = holdings(renorm_app.store)
    run(renorm_app, A_AMOUNT)
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_AMOUNT)
    run(renorm_app, A_PRICE)
    assert holdings(renorm_app.store)["stats"] == start["stats"]
    assert holdings(renorm_app.store)["facts"] == start["facts"]
    assert holdings(renorm_app.store)["leads_to"] == start["leads_to"]


def test_warnings_only_change_is_rewritten_in_place(renorm_app):
    text = json.dumps({"source": "client_A", "payload": {"value": "clicks", "date": "2024-01-02"}})
    result = renorm_app.submit(text)
    before = renorm_app.store.get_normalized(result.normalized_id)
    other = {"clients": {"client_A": {"fields": {"metric": ["value"], "amount": ["betrag"], "timestamp": ["date"]}}}}
    summary = run(renorm_app, other)
    after = renorm_app.store.get_normalized(result.normalized_id)
    assert after.normalized_hash == before.normalized_hash  # amount missing either way
    assert summary.counts["changed"] == 1 and after.warnings != before.warnings
    assert after.mapping_version == 2 and after.id == before.id


def test_failed_rejected_and_out_of_scope_events_are_left_alone(renorm_app):
    failed = renorm_app.submit(line(price="7", amount="5", n=1), FaultPoint.MID_TRANSACTION)
    rejected = renorm_app.submit("not json")
    other_client = renorm_app.submit(json.dumps({"source": "client_B", "payload": {"price": "7", "amount": "5"}}))
    mine = renorm_app.submit(BOTH)
    renorm_app.set_mappings(mappings_of(A_AMOUNT))
    summary = service.renormalize(renorm_app, scope_of(client="client_A"))
    assert summary.counts["examined"] == 1 and summary.counts["changed"] == 1
    assert renorm_app.store.get_raw(failed.raw_id).status == "failed"
    assert renorm_app.store.get_raw(rejected.raw_id).status == "rejected"
    assert renorm_app.store.get_normalized(other_client.normalized_id).mapping_version == 1
    assert renorm_app.store.normalized_for_raw(mine.raw_id).amount == "5"


def test_received_range_is_the_scope(renorm_app):
    first = renorm_app.submit(BOTH)
    received = renorm_app.store.get_raw(first.raw_id).received_at
    renorm_app.set_mappings(mappings_of(A_AMOUNT))
    assert service.renormalize(renorm_app, scope_of(time_to=received)).counts["examined"] == 0
    assert service.renormalize(renorm_app, scope_of(time_from=received)).counts["examined"] == 1
    assert renorm_app.store.normalized_for_raw(first.raw_id).amount == "5"


def test_dry_run_reports_what_a_run_does_and_changes_nothing(renorm_app):
    lines = [PRICE5, BOTH, AMOUNT5, line(price="7"), line(amount="7", price="5"), line(price="7", x=1)]
    submit_all(renorm_app, lines)
    renorm_app.set_mappings(mappings_of(A_AMOUNT))
    before = holdings(renorm_app.store)
    if not renorm_app.store.transactions:  # MongoDB standalone: nothing to roll back with
        with pytest.raises(StoreUnavailable, match="dry run needs transactions"):
            service.renormalize(renorm_app, scope_of(), dry_run=True)
        assert holdings(renorm_app.store) == before
        return
    dry = service.renormalize(renorm_app, scope_of(), dry_run=True, chunk_size=2)
    assert holdings(renorm_app.store) == before
    assert service.renormalize_history(renorm_app) == []
    real = service.renormalize(renorm_app, scope_of(), chunk_size=2)
    assert dry.to_json() == real.to_json() and real.counts["changed"] > 0


def test_cancelled_run_is_continued_by_the_next_and_ends_as_one_run(renorm_app):
    lines = [PRICE5, BOTH, AMOUNT5, line(price="7"), line(amount="7", price="5"), line(price="7", x=1),
             line(price="9", amount="7")]
    submit_all(renorm_app, lines)
    renorm_app.set_mappings(mappings_of(A_AMOUNT))
    cancel = threading.Event()
    first = service.renormalize(renorm_app, scope_of(), cancel=cancel, chunk_size=2,
                                progress=lambda counts: cancel.set())
    assert first.cancelled and first.counts["examined"] == 2
    second = service.renormalize(renorm_app, scope_of(), chunk_size=2)
    assert second.resumed and second.counts["examined"] == len(lines)
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_AMOUNT)
    runs = service.renormalize_history(renorm_app)
    assert [(r.run_id, r.state, r.mapping_version, r.counts["examined"]) for r in runs] == [
        (1, "finished", 2, len(lines))]
    assert runs[0].finished_at is not None and runs[0].last_raw_id is not None


def test_a_run_of_another_version_starts_over_and_supersedes_the_unfinished_one(renorm_app):
    submit_all(renorm_app, [PRICE5, BOTH, AMOUNT5])
    renorm_app.set_mappings(mappings_of(A_AMOUNT))
    cancel = threading.Event()
    service.renormalize(renorm_app, scope_of(), cancel=cancel, chunk_size=1, progress=lambda c: cancel.set())
    renorm_app.set_mappings(mappings_of(A_PRICE))
    again = service.renormalize(renorm_app, scope_of(), chunk_size=1)
    assert not again.resumed and again.counts["examined"] == 3
    assert [(r.state, r.mapping_version) for r in service.renormalize_history(renorm_app)] == [
        ("superseded", 2), ("finished", 3)]


def test_two_runs_at_once_the_overtaken_one_stops_and_the_result_stays_exact(renorm_app):
    from eventdesk.core.renormalize import RunTakenOver
    lines = [PRICE5, BOTH, AMOUNT5, line(price="7"), line(amount="7", price="5"), line(price="7", x=1)]
    submit_all(renorm_app, lines)
    renorm_app.set_mappings(mappings_of(A_AMOUNT))
    other = []

    def meanwhile(counts):
        if not other:  # another process runs (and finishes) the same run between our chunks
            other.append(service.renormalize(renorm_app, scope_of(), chunk_size=2))

    with pytest.raises(RunTakenOver, match="two runs at once"):
        service.renormalize(renorm_app, scope_of(), chunk_size=2, progress=meanwhile)
    assert other[0].resumed
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_AMOUNT)
    assert [r.state for r in service.renormalize_history(renorm_app)] == ["finished"]


def test_a_conflict_runs_the_chunk_again_and_a_store_error_keeps_the_run_resumable(renorm_app):
    from eventdesk.core.errors import StoreConflict
    if not hasattr(renorm_app.store, "fail"):
        pytest.skip("faults are scripted on the memory store")
    lines = [PRICE5, BOTH, AMOUNT5, line(price="7"), line(amount="7", price="5")]
    submit_all(renorm_app, lines)
    renorm_app.set_mappings(mappings_of(A_AMOUNT))
    renorm_app.store.fail("commit", StoreConflict("write conflict"), times=2)
    assert service.renormalize(renorm_app, scope_of(), chunk_size=2).counts["examined"] == len(lines)
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_AMOUNT)
    renorm_app.set_mappings(mappings_of(A_PRICE))
    renorm_app.store.fail("commit", StoreUnavailable("disk gone"), times=1)
    calls = []
    with pytest.raises(StoreUnavailable):
        service.renormalize(renorm_app, scope_of(), chunk_size=2, progress=calls.append)
    again = service.renormalize(renorm_app, scope_of(), chunk_size=2)
    assert again.counts["examined"] == len(lines)
    assert holdings(renorm_app.store) == fresh(renorm_app, lines, A_PRICE)
