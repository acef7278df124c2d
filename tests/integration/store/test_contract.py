"""The EventStore contract: every adapter must pass these (SQLite, mongomock, real MongoDB)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from eventdesk.core.faults import FaultPoint
from eventdesk.core.model import Outcome
from eventdesk.core.queries import AggregateQuery, NormalizedQuery, Page, RawQuery

SEED = '{"source":"client_A","payload":{"value":"sales","price":"1200","date":"2024/01/01"}}'
SEED_REORDERED = '{"payload":{"date":"2024/01/01","price":"1200.0","value":"sales"},"source":"client_A"}'
SEED_OTHER_FORMAT = ('{"source":"client_A","payload":{"metric":" Sales ","amount":1200,'
                     '"timestamp":"2024-01-01T00:00:00Z"}}')


def event(client="client_B", metric="sales", amount="10.5", ts="2024-03-01T10:00:00Z"):
    return json.dumps({"source": client, "payload": {"metric": metric, "amount": amount, "timestamp": ts}})


def test_seed_event_is_accepted_and_normalized(app):
    result = app.submit(SEED)
    assert result.outcome is Outcome.ACCEPTED
    stored = app.store.get_normalized(result.normalized_id)
    assert (stored.client_id, stored.metric, stored.amount, stored.timestamp) == (
        "client_A", "sales", "1200", "2024-01-01T00:00:00Z")
    assert stored.raw_id == result.raw_id
    raw = app.store.get_raw(result.raw_id)
    assert raw.status == "normalized" and raw.normalized_id == result.normalized_id


def test_exact_resend_is_a_duplicate_naming_the_original(app):
    first = app.submit(SEED)
    second = app.submit(SEED)
    assert second.outcome is Outcome.DUPLICATE
    assert (second.raw_id, second.normalized_id) == (first.raw_id, first.normalized_id)
    assert app.store.get_raw(first.raw_id).receipts == 2
    assert app.store.stats().exact_duplicates == 1


def test_key_order_and_number_form_do_not_change_the_content_hash(app):
    # "1200.0" as text is other content than "1200": only key order and whitespace are tested here
    first = app.submit(SEED)
    again = app.submit(' { "payload" : {"date":"2024/01/01","value":"sales","price":"1200"}, "source":"client_A" } ')
    assert again.outcome is Outcome.DUPLICATE and again.raw_id == first.raw_id


def test_other_format_of_the_same_fact_is_a_semantic_duplicate(app):
    first = app.submit(SEED)
    other = app.submit(SEED_OTHER_FORMAT)
    assert other.outcome is Outcome.SEMANTIC_DUPLICATE
    assert other.normalized_id == first.normalized_id
    raw = app.store.get_raw(other.raw_id)
    assert raw.status == "duplicate" and raw.duplicate_of == first.normalized_id
    stats = app.store.stats()
    assert (stats.normalized, stats.semantic_duplicates) == (1, 1)


def test_malformed_input_is_stored_as_rejected_with_the_reason(app):
    for text, reason in [("{not json", "not valid JSON"), ("[1,2]", "not an object"),
                         ('{"payload":{}}', "source is missing"), ('{"source":" ","payload":{}}', "source is empty"),
                         ('{"source":"a","payload":"x=1"}', "payload must be an object")]:
        result = app.submit(text)
        assert result.outcome is Outcome.REJECTED, text
        raw = app.store.get_raw(result.raw_id)
        assert raw.status == "rejected" and reason in raw.error
        assert raw.text == text
    assert app.store.stats().by_status["rejected"] == 5


def test_simulate_failure_then_retry_counts_once(app):
    failing = json.loads(SEED) | {"simulateFailure": True}
    failed = app.submit(json.dumps(failing))
    assert failed.outcome is Outcome.FAILED and failed.status == "failed"
    assert app.store.stats().normalized == 0
    retried = app.submit(SEED)
    assert retried.outcome is Outcome.ACCEPTED and retried.raw_id == failed.raw_id
    raw = app.store.get_raw(failed.raw_id)
    assert raw.status == "normalized" and raw.attempts == 2 and raw.error is None
    assert app.store.stats().normalized == 1


def test_before_write_stores_nothing(app):
    result = app.submit(SEED, FaultPoint.BEFORE_WRITE)
    assert result.outcome is Outcome.FAILED and result.raw_id is None
    assert app.store.stats().raw_total == 0
    assert app.submit(SEED).outcome is Outcome.ACCEPTED


def test_after_commit_retry_is_an_exact_duplicate_with_the_committed_ids(app):
    lost = app.submit(SEED, FaultPoint.AFTER_COMMIT)
    assert lost.outcome is Outcome.FAILED
    retry = app.submit(SEED)
    assert retry.outcome is Outcome.DUPLICATE and retry.normalized_id is not None
    assert app.store.stats().normalized == 1


def test_failures_become_dead_letter_after_max_attempts(app):
    app.processor.max_attempts = 3
    results = [app.submit(SEED, FaultPoint.MID_TRANSACTION) for _ in range(3)]
    assert [r.status for r in results] == ["failed", "failed", "dead_letter"]
    summary = app.processor.retry(["dead_letter"])
    assert summary.normalized == 1
    assert app.store.get_raw(results[0].raw_id).status == "normalized"


def test_retry_command_reprocesses_failed_events(app):
    failed = app.submit(SEED, FaultPoint.MID_TRANSACTION)
    summary = app.processor.retry()
    assert (summary.selected, summary.normalized) == (1, 1)
    raw = app.store.get_raw(failed.raw_id)
    assert raw.status == "normalized" and raw.receipts == 1 and raw.attempts == 2


def test_batch_with_repeats_and_semantic_duplicates_inside(app):
    batch = [SEED, SEED, SEED_OTHER_FORMAT, "oops", event(amount="1"), event(amount="1")]
    results = app.apply_raw_batch([b.encode() for b in batch])
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.DUPLICATE, Outcome.SEMANTIC_DUPLICATE,
                                            Outcome.REJECTED, Outcome.ACCEPTED, Outcome.DUPLICATE]
    stats = app.store.stats()
    assert (stats.raw_total, stats.normalized, stats.exact_duplicates, stats.semantic_duplicates) == (4, 2, 2, 1)


def test_missing_fields_never_swallow_each_other(app):
    a = app.submit('{"source":"client_B","payload":{"metric":"x","amount":"1"}}')
    b = app.submit('{"source":"client_B","payload":{"metric":"x","amount":"2"}}')
    assert a.outcome is b.outcome is Outcome.ACCEPTED
    assert app.store.get_normalized(a.normalized_id).warnings


def test_stats_report_every_status(app):
    stats = app.store.stats().to_json()
    assert set(stats["raw"]["by_status"]) == {"pending", "processing", "normalized", "duplicate", "failed",
                                              "rejected", "dead_letter"}


def test_aggregates_are_exact_and_bucketed(app):
    for amount, ts in [("0.1", "2024-01-01T10:00:00Z"), ("0.2", "2024-01-01T11:00:00Z"),
                       ("0.3", "2024-01-08T00:00:00Z"), ("100", "2024-02-01T00:00:00Z")]:
        assert app.submit(event(amount=amount, ts=ts)).outcome is Outcome.ACCEPTED
    (total,) = app.store.aggregates(AggregateQuery())
    assert (total.count, total.sum, total.min, total.max) == (4, "100.6", "0.1", "100")
    assert total.avg == "25.15"
    days = app.store.aggregates(AggregateQuery(bucket="day"))
    assert [(r.bucket, r.count, r.sum) for r in days] == [
        ("2024-01-01T00:00:00Z", 2, "0.3"), ("2024-01-08T00:00:00Z", 1, "0.3"), ("2024-02-01T00:00:00Z", 1, "100")]
    weeks = app.store.aggregates(AggregateQuery(bucket="week"))
    assert [r.bucket for r in weeks] == ["2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z", "2024-01-29T00:00:00Z"]
    months = app.store.aggregates(AggregateQuery(bucket="month"))
    assert [(r.bucket, r.sum) for r in months] == [("2024-01-01T00:00:00Z", "0.6"), ("2024-02-01T00:00:00Z", "100")]


def test_aggregates_time_range_cuts_inside_a_day(app):
    for amount, ts in [("1", "2024-01-01T09:00:00Z"), ("2", "2024-01-01T11:00:00Z"),
                       ("4", "2024-01-02T12:00:00Z"), ("8", "2024-01-03T13:00:00Z")]:
        app.submit(event(amount=amount, ts=ts))
    query = AggregateQuery(time_from=datetime(2024, 1, 1, 10, tzinfo=timezone.utc),
                           time_to=datetime(2024, 1, 3, 12, tzinfo=timezone.utc))
    (row,) = app.store.aggregates(query)
    assert (row.count, row.sum) == (2, "6")
    inside = AggregateQuery(time_from=datetime(2024, 1, 1, 10, tzinfo=timezone.utc),
                            time_to=datetime(2024, 1, 1, 12, tzinfo=timezone.utc))
    assert [(r.count, r.sum) for r in app.store.aggregates(inside)] == [(1, "2")]


def test_aggregates_exact_for_amounts_beyond_fast_units(app):
    app.submit(event(amount="0.00001", ts="2024-01-01T00:00:00Z"))
    app.submit(event(amount="12345678901234.5", ts="2024-01-01T01:00:00Z"))
    app.submit(event(amount="1", ts="2024-01-01T02:00:00Z"))
    (row,) = app.store.aggregates(AggregateQuery())
    assert (row.count, row.sum, row.min, row.max) == (3, "12345678901235.50001", "0.00001", "12345678901234.5")


def test_aggregates_filter_by_client_and_metric(app):
    app.submit(event(client="c1", metric="sales", amount="1"))
    app.submit(event(client="c1", metric="visits", amount="2"))
    app.submit(event(client="c2", metric="sales", amount="4"))
    rows = app.store.aggregates(AggregateQuery(clients=("c1",), metrics=("sales",)))
    assert [(r.client_id, r.metric, r.sum) for r in rows] == [("c1", "sales", "1")]


def test_raw_query_filters_and_keyset_paging(app):
    for i in range(25):
        app.submit(event(amount=str(i)))
    app.submit("bad input")
    everything = RawQuery()
    assert app.store.count_raw(everything) == 26
    assert app.store.count_raw(RawQuery(statuses=("rejected",))) == 1
    assert app.store.count_raw(RawQuery(source="client_B")) == 25
    seen, after = [], None
    while True:
        page = app.store.query_raw(everything, Page("id", True, after, 10))
        seen += [e.id for e in page]
        if len(page) < 10:
            break
        after = (page[-1].id, page[-1].id)
    assert len(seen) == 26 and seen == sorted(seen, reverse=True)
    found = app.store.query_raw(RawQuery(text="bad in"), Page())
    assert [e.status for e in found] == ["rejected"]


def test_raw_query_text_is_data_not_a_query(app):
    app.submit(event())
    for hostile in ['{"$ne": null}', "%", "q_q", "' OR 1=1 --", "$where"]:
        assert app.store.count_raw(RawQuery(text=hostile)) == 0
        assert app.store.count_raw(RawQuery(source=hostile)) == 0


def test_normalized_query_sorts_by_amount_with_paging(app):
    for amount in ["5", "1", "3", "2", "4"]:
        app.submit(event(amount=amount, ts=f"2024-01-0{amount}T00:00:00Z"))
    rows, after = [], None
    while True:
        page = app.store.query_normalized(NormalizedQuery(), Page("amount", False, after, 2))
        rows += [e.amount for e in page]
        if len(page) < 2:
            break
        after = (page[-1].amount, page[-1].id)
    assert rows == ["1", "2", "3", "4", "5"]
    assert app.store.count_normalized(NormalizedQuery(time_from=datetime(2024, 1, 3, tzinfo=timezone.utc))) == 3


def test_distinct_values(app):
    app.submit(event(client="c2", metric="visits"))
    app.submit(event(client="c1", metric="sales"))
    assert app.store.distinct_values("source") == ["c1", "c2"]
    assert app.store.distinct_values("client_id") == ["c1", "c2"]
    assert app.store.distinct_values("metric") == ["sales", "visits"]


def test_mappings_are_versioned_in_the_store(store):
    assert store.current_mappings() is None
    v1 = store.save_mappings('{"clients": {}}', "2024-01-01T00:00:00Z")
    v2 = store.save_mappings('{"clients": {"x": {}}}', "2024-01-02T00:00:00Z")
    assert v2 == v1 + 1
    assert store.current_mappings() == (v2, '{"clients": {"x": {}}}')


def test_invalid_utf8_is_kept_as_bytes(app):
    result = app.submit(b'{"source":"a","payload":{"x":"\xff"}}')
    assert result.outcome is Outcome.REJECTED
    raw = app.store.get_raw(result.raw_id)
    assert raw.text == b'{"source":"a","payload":{"x":"\xff"}}' and "UTF-8" in raw.error


def test_status_counts_equal_the_rows_after_a_messy_history(app):
    from eventdesk.core.queries import RawQuery
    app.processor.max_attempts = 2
    app.submit(SEED)
    app.submit(SEED)
    app.submit(SEED_OTHER_FORMAT)
    app.submit("junk")
    failing = event(amount="7")
    app.submit(failing, FaultPoint.MID_TRANSACTION)
    app.submit(failing, FaultPoint.MID_TRANSACTION)  # now dead_letter
    app.submit(event(amount="8"), FaultPoint.MID_TRANSACTION)
    app.processor.retry(["failed"])
    stats = app.store.stats()
    for status, count in stats.by_status.items():
        assert app.store.count_raw(RawQuery(statuses=(status,))) == count, status
    assert stats.by_status["dead_letter"] == 1 and stats.by_status["failed"] == 0
