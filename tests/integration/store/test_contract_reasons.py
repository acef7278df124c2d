"""Reason codes and triage on every store of the contract suite (design section 12)."""
from __future__ import annotations

import json

import pytest

from eventdesk.app import queries
from eventdesk.core.faults import FaultPoint
from eventdesk.core.model import Outcome, Reason
from eventdesk.core.queries import NormalizedQuery, Page, RawQuery
from eventdesk.core.reasons import CODES
from eventdesk.core.triage import SAMPLES, TriageQuery


def event(client="client_B", **payload):
    return json.dumps({"source": client, "payload": payload})


REJECTED = [
    ("{not json", Reason("json.invalid")),
    ("[1, 2]", Reason("input.not_object")),
    ('{"payload": {}}', Reason("source.missing", "source", "source")),
    ('{"source": 7, "payload": {}}', Reason("source.not_text", "source", "source")),
    ('{"source": "  ", "payload": {}}', Reason("source.empty", "source", "source")),
    ('{"source": "c"}', Reason("payload.missing", "payload", "payload")),
    ('{"source": "c", "payload": [1]}', Reason("payload.not_object", "payload", "payload")),
    ("[" * 300 + "]" * 300, Reason("input.not_object")),
    ('{"source": "c", "payload": ' + '{"a":' * 2000 + "1" + "}" * 2000 + "}", Reason("json.too_deep")),
    ('{"source": "c", "payload": ' + '{"a":' * 250 + "1" + "}" * 250 + "}", Reason("json.too_deep")),
    ('{"source": "c", "payload": {"a": "\\ud800"}}', Reason("input.lone_surrogate")),
    (b"\xff\xfe", Reason("input.not_utf8")),
]


@pytest.mark.parametrize("text, reason", REJECTED)
def test_a_rejection_is_stored_with_its_reason(app, text, reason):
    result = app.submit(text)
    assert result.outcome is Outcome.REJECTED and result.reasons == (reason,)
    assert app.store.get_raw(result.raw_id).reasons == [reason]


def test_warnings_carry_the_code_the_field_and_the_clients_own_key(app):
    result = app.submit(event("client_D", event="sale", betrag="zwölf", zeit="2024-03"))
    normalized = app.store.get_normalized(result.normalized_id)
    assert normalized.reasons == [Reason("amount.unparseable", "amount", "betrag"),
                                  Reason("timestamp.no_day", "timestamp", "zeit")]
    assert len(normalized.warnings) == 2 and "zwölf" in normalized.warnings[0]  # the text is kept
    assert normalized.mapping_version == app.mappings_version


def test_missing_fields_have_no_key_and_a_dotted_key_is_kept_whole(app):
    result = app.submit(event("client_E", kind="sale", data={"value": True}))
    assert app.store.get_normalized(result.normalized_id).reasons == [
        Reason("amount.not_number", "amount", "data.value"), Reason("timestamp.missing", "timestamp", None)]


def test_a_clean_event_has_no_reasons_and_records_the_mapping_version(app):
    result = app.submit(event(metric="sales", amount="1", timestamp="2024-01-01"))
    normalized = app.store.get_normalized(result.normalized_id)
    assert normalized.reasons == [] and normalized.mapping_version == app.mappings_version
    assert app.store.get_raw(result.raw_id).reasons == []


def test_a_failure_is_stored_with_its_reason_and_a_successful_retry_clears_it(app):
    text = event(metric="sales", amount="2", timestamp="2024-01-02")
    failed = app.submit(text, FaultPoint.MID_TRANSACTION)
    assert failed.reasons == (Reason("simulated.mid_transaction"),)
    assert app.store.get_raw(failed.raw_id).reasons == [Reason("simulated.mid_transaction")]
    assert [g.code for g in queries.triage(app, "failed")] == ["simulated.mid_transaction"]
    again = app.submit(text)
    assert again.outcome is Outcome.ACCEPTED
    assert app.store.get_raw(failed.raw_id).reasons == []
    assert queries.triage(app, "failed") == []


def test_unacknowledged_failures_name_their_reason_and_store_nothing(app):
    text = event(metric="sales", amount="3", timestamp="2024-01-03")
    before = app.submit(text, FaultPoint.BEFORE_WRITE)
    assert before.reasons == (Reason("simulated.before_write"),) and before.raw_id is None
    after = app.submit(text, FaultPoint.AFTER_COMMIT)
    assert after.reasons == (Reason("simulated.after_commit"),)
    assert queries.triage(app, "failed") == []


def _expected_groups(app) -> dict:
    """The groups counted one event at a time through the ordinary read port."""
    groups: dict = {}
    raws = app.store.query_raw(RawQuery(statuses=("failed", "rejected", "dead_letter")), Page(limit=10_000))
    items = [(r.source.strip() if r.source else None, r.reasons, r.id, r.received_at) for r in raws]
    for n in app.store.query_normalized(NormalizedQuery(), Page(limit=10_000)):
        items.append((n.client_id, n.reasons, n.raw_id, app.store.get_raw(n.raw_id).received_at))
    for client, reasons, raw_id, seen in items:
        for code, field in {(r.code, r.field) for r in reasons}:
            group = groups.setdefault((code, client, field), [0, seen, seen, []])
            group[0] += 1
            group[1], group[2] = min(group[1], seen), max(group[2], seen)
            group[3].append(raw_id)
    return {k: (v[0], v[1], v[2], sorted(v[3], reverse=True)[:SAMPLES]) for k, v in groups.items()}


def test_triage_groups_are_exact_against_the_events_one_by_one(app):
    texts = [event("client_D", event="sale", betrag=f"x{i}", zeit="05.01.2024") for i in range(7)]
    texts += [event(" client_D ", event="sale", betrag="1,5", zeit=f"2024-0{i + 1}") for i in range(3)]
    texts += [event("client_B", metric=f"m{i}", amount="1") for i in range(4)]  # no timestamp
    texts += ["{bad", "{bad 2", '{"payload": {}}', '{"source": "client_B", "payload": 3}']
    for text in texts:
        app.submit(text)
    app.submit(event(metric="z", amount="9", timestamp="2024-05-05"), FaultPoint.MID_TRANSACTION)
    groups = queries.triage(app)
    found = {(g.code, g.client_id, g.field): (g.count, g.first_seen, g.last_seen, g.sample_raw_ids)
             for g in groups}
    assert found == _expected_groups(app)
    assert found[("amount.unparseable", "client_D", "amount")][0] == 7
    assert found[("timestamp.no_day", "client_D", "timestamp")][0] == 3  # " client_D " is client_D
    assert found[("json.invalid", None, None)][0] == 2
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)
    assert all(len(g.sample_raw_ids) <= SAMPLES and g.code in CODES for g in groups)


def test_triage_filters_by_status_and_client(app):
    app.submit(event("client_B", metric="m", amount="oops", timestamp="2024-01-01"))
    app.submit(event("client_C", type="m", total="1"))
    app.submit("{bad")
    app.submit(event(metric="z", amount="9", timestamp="2024-05-05"), FaultPoint.MID_TRANSACTION)
    assert {g.code for g in queries.triage(app, "rejected")} == {"json.invalid"}
    assert {g.code for g in queries.triage(app, "failed")} == {"simulated.mid_transaction"}
    assert {g.code for g in queries.triage(app, "normalized")} == {"amount.unparseable", "timestamp.missing"}
    assert {(g.code, g.client_id) for g in queries.triage(app, client_id="client_C")} == {
        ("timestamp.missing", "client_C")}
    assert queries.triage(app, "duplicate") == [] and queries.triage(app, "dead_letter") == []
    with pytest.raises(ValueError, match="status must be one of"):
        queries.triage(app, "nonsense")


def test_triage_samples_are_the_newest_five(app):
    ids = [app.submit(event("client_B", metric="m", amount=f"bad{i}", timestamp="2024-01-01")).raw_id
           for i in range(8)]
    (group,) = [g for g in app.store.triage(TriageQuery()) if g.code == "amount.unparseable"]
    assert group.count == 8 and group.sample_raw_ids == sorted(ids, reverse=True)[:5]


def test_triage_of_an_empty_store_is_empty(app):
    assert app.store.triage(TriageQuery()) == []
