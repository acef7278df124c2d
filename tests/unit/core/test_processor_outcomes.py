"""The processor against the in-memory fake store: every outcome, fault point and retry rule.

Design sections 3 and 7. The fake keeps the unique-index and unit-of-work semantics of the real
stores and scripts their failures (``store.fail``), so each path is reached on purpose.
"""
from __future__ import annotations

import json
import threading

import pytest
from fakes.memory_store import MemoryStore

from eventdesk.core.errors import StoreConflict, StoreUnavailable
from eventdesk.core.faults import FaultPoint
from eventdesk.core.model import Outcome
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.ports import NewNormalized, NewRaw
from eventdesk.core.processor import CONFLICT_RETRIES, Processor
from eventdesk.core.queries import Page, RawQuery


def event(amount="12.5", client="client_B", ts="2024-03-01T10:00:00Z") -> str:
    return json.dumps({"source": client, "payload": {"metric": "sales", "amount": amount, "timestamp": ts}})


SAME_FACT = json.dumps({"payload": {"timestamp": "2024-03-01T11:00:00+01:00", "amount": 12.50,
                                    "metric": " Sales "}, "source": " client_B "})


@pytest.fixture
def store():
    return MemoryStore()


@pytest.fixture
def processor(store, shipped_mappings):
    return Processor(store, Normalizer(shipped_mappings), max_attempts=3, group_commit=False)


def counts(store) -> tuple[int, int, int, int]:
    s = store.stats()
    return s.raw_total, s.normalized, s.exact_duplicates, s.semantic_duplicates


# -- outcomes

def test_accepted_stores_raw_and_normalized_pointing_at_each_other(processor, store):
    result = processor.submit(event())
    assert (result.outcome, result.status, result.error) == (Outcome.ACCEPTED, "normalized", None)
    normalized = store.get_normalized(result.normalized_id)
    assert (normalized.raw_id, normalized.amount, normalized.timestamp) == (
        result.raw_id, "12.5", "2024-03-01T10:00:00Z")
    assert store.get_raw(result.raw_id).normalized_id == result.normalized_id
    assert counts(store) == (1, 1, 0, 0)


def test_duplicate_names_the_original_and_counts_a_receipt(processor, store):
    first = processor.submit(event())
    again = processor.submit(event())
    assert again.outcome is Outcome.DUPLICATE
    assert (again.raw_id, again.normalized_id) == (first.raw_id, first.normalized_id)
    assert again.status == "normalized"
    assert store.get_raw(first.raw_id).receipts == 2
    assert counts(store) == (1, 1, 1, 0)


def test_semantic_duplicate_points_at_the_normalized_event_it_equals(processor, store):
    first = processor.submit(event())
    other = processor.submit(SAME_FACT)
    assert other.outcome is Outcome.SEMANTIC_DUPLICATE and other.raw_id != first.raw_id
    assert other.normalized_id == first.normalized_id
    raw = store.get_raw(other.raw_id)
    assert (raw.status, raw.duplicate_of, raw.normalized_id) == ("duplicate", first.normalized_id, None)
    assert counts(store) == (2, 1, 0, 1)
    resent = processor.submit(SAME_FACT)  # a re-send of the duplicate is an exact duplicate of it
    assert (resent.outcome, resent.raw_id, resent.normalized_id) == (
        Outcome.DUPLICATE, other.raw_id, first.normalized_id)


@pytest.mark.parametrize("text, reason", [
    ("{not json", "not valid JSON"), ("[1, 2]", "not an object"), ('{"payload": {}}', "source is missing"),
    ('{"source": "  ", "payload": {}}', "source is empty"), ('{"source": "a", "payload": [1]}', "payload"),
    (b'{"source":"a","payload":{"x":"\xff"}}', "UTF-8")])
def test_rejected_is_stored_as_received_and_a_resend_is_a_duplicate(processor, store, text, reason):
    result = processor.submit(text)
    assert (result.outcome, result.status, result.normalized_id) == (Outcome.REJECTED, "rejected", None)
    raw = store.get_raw(result.raw_id)
    assert raw.text == text and reason in raw.error
    again = processor.submit(text)
    assert (again.outcome, again.raw_id, again.normalized_id) == (Outcome.DUPLICATE, result.raw_id, None)
    assert processor.retry(["failed", "dead_letter"]).selected == 0  # never retried automatically
    assert counts(store) == (1, 0, 1, 0)


def test_a_store_error_is_failed_with_the_raw_kept_and_a_retry_fixes_it(processor, store):
    store.fail("insert_normalized", StoreUnavailable("disk went away"))
    failed = processor.submit(event())
    assert (failed.outcome, failed.status, failed.error) == (Outcome.FAILED, "failed", "disk went away")
    raw = store.get_raw(failed.raw_id)
    assert (raw.status, raw.attempts, raw.error) == ("failed", 1, "disk went away")
    assert processor.retry().to_json() == {"selected": 1, "normalized": 1, "duplicate": 0, "failed": 0}
    raw = store.get_raw(failed.raw_id)
    assert (raw.status, raw.attempts, raw.error, raw.receipts) == ("normalized", 2, None, 1)
    assert counts(store) == (1, 1, 0, 0)


# -- fault points and their retry

def test_before_write_stores_nothing_and_a_retry_is_processed_normally(processor, store):
    result = processor.submit(event(), FaultPoint.BEFORE_WRITE)
    assert (result.outcome, result.raw_id, result.normalized_id) == (Outcome.FAILED, None, None)
    assert "before anything was written" in result.error
    assert counts(store) == (0, 0, 0, 0)
    assert processor.submit(event()).outcome is Outcome.ACCEPTED
    assert counts(store) == (1, 1, 0, 0)


def test_mid_transaction_rolls_back_keeps_the_raw_failed_and_a_resend_counts_once(processor, store):
    failed = processor.submit(event(), FaultPoint.MID_TRANSACTION)
    assert (failed.outcome, failed.status) == (Outcome.FAILED, "failed")
    assert "simulated" in store.get_raw(failed.raw_id).error
    assert counts(store) == (1, 0, 0, 0)  # the normalized insert was rolled back
    retried = processor.submit(event())
    assert (retried.outcome, retried.raw_id) == (Outcome.ACCEPTED, failed.raw_id)
    raw = store.get_raw(failed.raw_id)
    assert (raw.status, raw.attempts, raw.error, raw.receipts) == ("normalized", 2, None, 2)
    assert store.stats().normalized == 1


def test_simulate_failure_field_is_mid_transaction(processor, store):
    text = json.dumps(json.loads(event()) | {"simulateFailure": True})
    result = processor.submit(text)
    assert (result.outcome, result.status) == (Outcome.FAILED, "failed")
    assert store.stats().normalized == 0


def test_after_commit_loses_the_reply_and_a_retry_names_the_committed_ids(processor, store):
    lost = processor.submit(event(), FaultPoint.AFTER_COMMIT)
    assert (lost.outcome, lost.raw_id) == (Outcome.FAILED, None)
    assert counts(store) == (1, 1, 0, 0)  # it did land
    (stored,) = store.query_raw(RawQuery(), Page())
    retry = processor.submit(event())
    assert (retry.outcome, retry.raw_id, retry.normalized_id) == (Outcome.DUPLICATE, stored.id,
                                                                  stored.normalized_id)
    assert counts(store) == (1, 1, 1, 0)


@pytest.mark.parametrize("max_attempts", [1, 2, 3])
def test_the_attempt_that_reaches_max_attempts_makes_dead_letter(store, shipped_mappings, max_attempts):
    processor = Processor(store, Normalizer(shipped_mappings), max_attempts, group_commit=False)
    statuses = [processor.submit(event(), FaultPoint.MID_TRANSACTION).status for _ in range(max_attempts)]
    assert statuses == ["failed"] * (max_attempts - 1) + ["dead_letter"]
    assert processor.retry().selected == 0  # the default retry leaves dead letters alone
    summary = processor.retry(["dead_letter"])
    assert (summary.selected, summary.normalized) == (1, 1)
    assert store.stats().by_status["dead_letter"] == 0 and store.stats().normalized == 1


def test_a_failing_retry_counts_attempts_up_to_dead_letter(processor, store):
    failed = processor.submit(event(), FaultPoint.MID_TRANSACTION)
    store.fail("insert_normalized", StoreUnavailable("still down"), times=2)
    assert processor.retry().to_json() == {"selected": 1, "normalized": 0, "duplicate": 0, "failed": 1}
    assert processor.retry().failed == 1
    raw = store.get_raw(failed.raw_id)
    assert (raw.status, raw.attempts, raw.receipts) == ("dead_letter", 3, 1)  # retries are not receipts


def test_a_resend_of_a_dead_letter_reprocesses_it(processor, store):
    for _ in range(3):
        dead = processor.submit(event(), FaultPoint.MID_TRANSACTION)
    assert dead.status == "dead_letter"
    again = processor.submit(event())
    assert (again.outcome, again.raw_id) == (Outcome.ACCEPTED, dead.raw_id)


# -- commits whose reply is uncertain: the commit mark decides

def test_commit_mark_settles_a_lost_reply_that_landed(processor, store):
    store.fail("commit", StoreUnavailable("connection reset during commit"), landed=True)
    result = processor.submit(event())
    assert (result.outcome, result.status) == (Outcome.ACCEPTED, "normalized")
    assert store.get_raw(result.raw_id).status == "normalized"
    assert counts(store) == (1, 1, 0, 0)
    assert processor.submit(event()).outcome is Outcome.DUPLICATE


def test_a_commit_that_did_not_land_is_recorded_as_failed(processor, store):
    store.fail("commit", StoreUnavailable("connection reset during commit"), landed=False)
    result = processor.submit(event())
    assert (result.outcome, result.status) == (Outcome.FAILED, "failed")
    assert "connection reset" in store.get_raw(result.raw_id).error
    assert counts(store) == (1, 0, 0, 0)
    assert processor.submit(event()).outcome is Outcome.ACCEPTED
    assert counts(store) == (1, 1, 1, 0)  # the resend is a second receipt of the same raw event


def test_without_the_mark_a_landed_commit_would_be_reported_failed(processor, store, monkeypatch):
    """Negative control: the mark, not a guess, turns the lost reply into an acknowledgement."""
    monkeypatch.setattr(store, "has_mark", lambda token: False)
    store.fail("commit", StoreUnavailable("connection reset during commit"), landed=True)
    result = processor.submit(event())
    assert (result.outcome, result.status) == (Outcome.FAILED, "normalized")
    assert counts(store) == (1, 1, 1, 0)  # and a receipt that never came is counted


@pytest.mark.parametrize("landed", [True, False])
def test_when_not_even_the_mark_can_be_read_nothing_is_acknowledged(processor, store, landed):
    store.fail("commit", StoreUnavailable("reset"), landed=landed)
    store.fail("has_mark", StoreUnavailable("unreachable"))
    result = processor.submit(event())
    assert (result.outcome, result.raw_id) == (Outcome.FAILED, None)
    assert "unknown" in result.error and "send it again" in result.error
    resend = processor.submit(event())
    assert resend.outcome is (Outcome.DUPLICATE if landed else Outcome.ACCEPTED)
    assert store.stats().normalized == 1


def test_conflicts_run_the_unit_of_work_again(processor, store):
    store.fail("commit", StoreConflict("write conflict"), times=CONFLICT_RETRIES - 1)
    assert processor.submit(event()).outcome is Outcome.ACCEPTED
    assert counts(store) == (1, 1, 0, 0)


def test_conflicts_beyond_the_retries_are_a_recorded_failure(processor, store):
    store.fail("commit", StoreConflict("write conflict"), times=CONFLICT_RETRIES)
    result = processor.submit(event())
    assert (result.outcome, result.status) == (Outcome.FAILED, "failed")
    assert counts(store) == (1, 0, 0, 0)


def test_when_recording_the_failure_fails_too_nothing_is_acknowledged(processor, store):
    store.fail("insert_raws", StoreUnavailable("gone"), times=2)
    result = processor.submit(event())
    assert (result.outcome, result.raw_id) == (Outcome.FAILED, None)
    assert "recording the failure also failed" in result.error
    assert counts(store) == (0, 0, 0, 0)


# -- batches, recovery, concurrency

def test_a_batch_settles_repeats_and_semantic_duplicates_inside_it(processor, store):
    texts = [event("1"), event("1"), SAME_FACT, event(), "junk", "junk", event("2")]
    results = processor.apply([processor.prepare(t) for t in texts])
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.DUPLICATE, Outcome.ACCEPTED,
                                            Outcome.SEMANTIC_DUPLICATE, Outcome.REJECTED, Outcome.DUPLICATE,
                                            Outcome.ACCEPTED]
    assert results[1].raw_id == results[0].raw_id and results[3].normalized_id == results[2].normalized_id
    assert counts(store) == (5, 3, 2, 1)


def test_a_failing_batch_keeps_every_raw_and_counts_every_receipt(processor, store):
    texts = [event("1"), event("1"), "junk", event("2")]
    results = processor.apply([processor.prepare(t) for t in texts], FaultPoint.MID_TRANSACTION)
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.FAILED, Outcome.REJECTED, Outcome.FAILED]
    assert counts(store) == (3, 0, 1, 0)
    assert processor.retry().normalized == 2


def test_recovery_finishes_a_raw_left_processing_with_its_normalized_event_written(processor, store):
    prepared = processor.prepare(event())
    canonical = prepared.canonical
    with store.unit_of_work() as uow:  # what a crash on a store without transactions leaves
        (raw_id,) = uow.insert_raws([NewRaw("client_B", event(), "processing", prepared.envelope.content_hash,
                                            None, 1, "2024-01-01T00:00:00Z")])
        (normalized_id,) = uow.insert_normalized([NewNormalized(
            raw_id, canonical.client_id, canonical.metric, canonical.amount, canonical.timestamp,
            prepared.normalized_hash, canonical.warnings)])
        uow.commit()
    summary = processor.recover()
    assert (summary.selected, summary.normalized) == (1, 1)
    raw = store.get_raw(raw_id)
    assert (raw.status, raw.normalized_id, raw.receipts) == ("normalized", normalized_id, 1)
    assert counts(store) == (1, 1, 0, 0)


def test_concurrent_submitters_with_group_commit_count_each_fact_once(store, shipped_mappings):
    processor = Processor(store, Normalizer(shipped_mappings), group_commit=True)
    texts = [event(str(n)) for n in range(40)]
    barrier = threading.Barrier(6)
    outcomes: list[Outcome] = []

    def submit_all() -> None:
        barrier.wait()
        outcomes.extend(processor.submit(t).outcome for t in texts)

    threads = [threading.Thread(target=submit_all) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(Outcome.ACCEPTED) == 40 and outcomes.count(Outcome.DUPLICATE) == 200
    assert counts(store) == (40, 40, 200, 0)


def test_a_conflict_before_the_commit_is_run_again_too(processor, store):
    store.fail("insert_raws", StoreConflict("write conflict"), times=2)
    assert processor.submit(event()).outcome is Outcome.ACCEPTED
    assert counts(store) == (1, 1, 0, 0)


def test_a_retry_finds_the_fact_stored_meanwhile_and_makes_a_semantic_duplicate(processor, store):
    failed = processor.submit(event(), FaultPoint.MID_TRANSACTION)
    twin = processor.submit(SAME_FACT)
    assert twin.outcome is Outcome.ACCEPTED
    assert processor.retry().to_json() == {"selected": 1, "normalized": 0, "duplicate": 1, "failed": 0}
    raw = store.get_raw(failed.raw_id)
    assert (raw.status, raw.duplicate_of, raw.attempts) == ("duplicate", twin.normalized_id, 2)
    assert counts(store) == (2, 1, 0, 1)


@pytest.mark.parametrize("fault", list(FaultPoint))
def test_every_fault_point_in_a_batch_then_a_resend_counts_each_fact_once(processor, store, fault):
    texts = [event("1"), event("2"), event("1"), "junk"]
    processor.apply([processor.prepare(t) for t in texts], fault)
    results = processor.apply([processor.prepare(t) for t in texts])
    assert store.stats().normalized == 2
    assert {r.outcome for r in results[:3]} <= {Outcome.ACCEPTED, Outcome.DUPLICATE}
    raws = store.query_raw(RawQuery(), Page())
    assert sorted(r.status for r in raws) == ["normalized", "normalized", "rejected"]
