"""core.provenance: an explanation agrees exactly with ingest's normalizer, and names each rule."""
from __future__ import annotations

import json
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventdesk.core.amounts import parse_amount, read_amount_with_rule
from eventdesk.core.canonical import amount_text, timestamp_text
from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.provenance import explain
from eventdesk.core.timestamps import UTC, TimestampParser, read_timestamp_with_rule
from tests.unit.core.test_properties import FIELD_NAMES, SHIPPED, SOURCES, json_values, odd_text, scalars

BERLIN = ZoneInfo("Europe/Berlin")
ODD_INPUTS = [
    b"\xff\xfe not utf-8", "", "   ", "{", "[1, 2]", '"text"', "null", '{"payload": {}}', '{"source": "", "payload": {}}',
    '{"source": "x", "payload": []}', '{"source": 5, "payload": {}}', '\ufeff{"source": "a", "payload": {}}',
    '{"source": "client_D", "payload": {"betrag": 1e400, "zeit": 1e-400, "event": "x"}}',
    '{"source": "client_B", "payload": {"amount": 12345678901234567.5, "metric": "m", "timestamp": 1.5e9}}',
    '{"source": " client_D ", "payload": {"event": " Big  Sales ", "betrag": "(1.200,50 EUR)", "zeit": "31.12.2024"}}',
    '{"source": "client_E", "payload": {"kind": "k", "data.value": "3", "data": {"value": "4"}, "created_at": "x"}}',
    '{"source": "client_E", "payload": {"kind": "k", "data": {"value": null}, "created_at": "Jan 2024"}}',
    '{"source": "client_D", "payload": {"event": "e", "betrag": "1,5", "zeit": "2024-10-27 02:30"}}',
    '{"source": "client_D", "payload": {"event": "e", "betrag": "1,5", "zeit": "2024-03-31 02:30"}}',
    '{"source": "c", "payload": {"metric": true, "amount": false, "timestamp": [1]}}',
    '{"source": "c", "payload": {"metric": "m", "amount": "12 EST", "timestamp": "5 Jan 2024 10:00 EST"}}',
]


def assert_agrees(mappings: Mappings, received: str | bytes) -> None:
    """The explanation says what ingest's normalizer does, field by field."""
    envelope = read_envelope_fast(received)
    prepared = Normalizer(mappings).prepare(envelope)
    explanation = explain(mappings, received)
    json.dumps(explanation.to_json())  # always JSON-ready
    assert explanation.rejection == envelope.rejection
    assert explanation.canonical == prepared.canonical
    assert explanation.normalized_hash == prepared.normalized_hash
    assert explanation.content_hash == envelope.content_hash
    canonical = prepared.canonical
    if canonical is None:
        assert explanation.fields == () and explanation.rejection_reason is not None
        return
    assert [t.field for t in explanation.fields] == ["metric", "amount", "timestamp"]
    values = (canonical.metric, None if canonical.amount is None else amount_text(canonical.amount),
              None if canonical.timestamp is None else timestamp_text(canonical.timestamp))
    assert tuple(t.value for t in explanation.fields) == values
    problems = [(t.problem, t.reason) for t in explanation.fields if t.problem is not None]
    assert problems == [(str(w), r.code) for w, r in zip(canonical.warnings, canonical.reasons)]
    for trace, reason in zip([t for t in explanation.fields if t.problem], canonical.reasons):
        assert reason.key == trace.matched and reason.field == trace.field
    for trace in explanation.fields:
        assert (trace.rule is None) == (trace.value is None), trace
        assert (trace.matched is None) == (trace.found is None)
        if trace.matched is not None:
            assert trace.matched in trace.candidates


def test_every_generated_event_is_explained_as_ingest_normalizes_it(gen_events, generate):
    events, _truth, mappings_path = generate(3000, seed=13)
    mappings = Mappings.from_json(mappings_path.read_text(encoding="utf-8"))
    lines = events.read_bytes().splitlines()
    for line in lines:
        assert_agrees(mappings, line)
    assert any(explain(mappings, line).rejection for line in lines)  # broken lines were in the stream


@pytest.mark.parametrize("received", ODD_INPUTS)
def test_odd_inputs_are_explained_as_ingest_normalizes_them(gen_events, received):
    for mappings in (SHIPPED, Mappings(gen_events.MAPPINGS)):
        assert_agrees(mappings, received)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=SOURCES, payload=st.dictionaries(st.sampled_from(FIELD_NAMES) | odd_text, json_values, max_size=6),
       which=st.booleans())
def test_any_payload_is_explained_as_ingest_normalizes_it(source, payload, which):
    from tests.unit.core.conftest import load_gen_events
    mappings = SHIPPED if which else Mappings(load_gen_events().MAPPINGS)
    try:
        received = json.dumps({"source": source, "payload": payload}, default=str)
    except ValueError:
        return
    assert_agrees(mappings, received)


@settings(max_examples=400, deadline=None)
@given(value=scalars, decimal_comma=st.booleans())
def test_the_rule_reading_of_an_amount_is_parse_amount(value, decimal_comma):
    amount, problem, rule = read_amount_with_rule(value, decimal_comma)
    assert (amount, problem) == parse_amount(value, decimal_comma)
    assert (rule is None) == (amount is None)


@settings(max_examples=400, deadline=None)
@given(value=scalars, which=st.integers(0, 2))
def test_the_rule_reading_of_a_timestamp_is_parse(value, which):
    parser = [TimestampParser(False, UTC), TimestampParser(True, UTC), TimestampParser(True, BERLIN)][which]
    moment, problem, rule = read_timestamp_with_rule(parser, value)
    assert (moment, problem) == parser.parse(value)
    assert (rule is None) == (moment is None)


def test_generated_forms_name_their_rules(gen_events):
    mappings, rng = Mappings(gen_events.MAPPINGS), random.Random(13)
    seen: dict[str, set[str]] = {"amount": set(), "timestamp": set()}
    for client in gen_events.CLIENTS:
        for alt in (False, True):
            for _ in range(20):
                payload = gen_events.render(rng, client, *gen_events.fact(rng, client), alt=alt)
                explanation = explain(mappings, json.dumps({"source": client, "payload": payload}))
                for trace in explanation.fields[1:]:
                    seen[trace.field].add(trace.rule or "")
    assert "" not in seen["amount"] | seen["timestamp"]
    assert {"plain decimal", "JSON number", "decimal point, thousands separator ','",
            "decimal comma, thousands separator '.', currency code EUR", "decimal comma",
            "decimal point, thousands separator ',', currency symbol $"} <= seen["amount"]
    assert {"epoch seconds", "epoch milliseconds", "ISO 8601 with offset", "ISO 8601 in UTC (Z)",
            "year-first yyyy/mm/dd, midnight in UTC", "day-first dd.mm.yyyy HH:MM in Europe/Berlin",
            "month name HH:MM AM/PM in UTC"} <= seen["timestamp"]


RULES = [
    ("client_D", {"betrag": "1.200,50 EUR", "zeit": "05.01.2024 10:00"},
     "decimal comma, thousands separator '.', currency code EUR", "day-first dd.mm.yyyy HH:MM in Europe/Berlin"),
    ("client_D", {"betrag": "(12,50)", "zeit": "1704448800000"},
     "decimal comma, accounting negative (parentheses)", "epoch milliseconds (as text)"),
    ("client_B", {"amount": "12.5-", "timestamp": "13/01/2024"}, "decimal point, trailing minus",
     "day-first dd/mm/yyyy (13 is no month), midnight in UTC"),
    ("client_B", {"amount": "1.5e3", "timestamp": "01/02/24 3:04 PM +02:00"}, "decimal point, scientific notation",
     "month-first mm/dd/yy HH:MM AM/PM with offset"),
    ("client_B", {"amount": "USD -7", "timestamp": "2024-W01-5"}, "decimal point, currency code USD",
     "ISO 8601 week date, midnight in UTC"),
    ("client_B", {"amount": 1200, "timestamp": "January 5th 2024, 10am"}, "JSON integer",
     "python-dateutil fallback, in UTC"),
    ("client_B", {"amount": "1200.50", "timestamp": "Fri, 05 Jan 2024 10:00:00 GMT"}, "plain decimal",
     "month name with weekday HH:MM:SS in UTC (GMT)"),
]


@pytest.mark.parametrize("client,fields,amount_rule,timestamp_rule", RULES)
def test_rules_in_words(gen_events, client, fields, amount_rule, timestamp_rule):
    payload = {"metric": "m", "event": "m", **fields}
    explanation = explain(Mappings(gen_events.MAPPINGS), json.dumps({"source": client, "payload": payload}))
    assert [t.rule for t in explanation.fields[1:]] == [amount_rule, timestamp_rule], explanation.fields


def test_a_trace_names_the_candidates_the_match_and_the_value_found(gen_events):
    mappings = Mappings(gen_events.MAPPINGS)
    explanation = explain(mappings, json.dumps({"source": " client_E ", "payload": {
        "kind": " Big  SALES ", "data": {"value": "$1,200.50"}, "created_at": "Jan 5, 2024 10:00 AM"}}))
    assert explanation.client_id == "client_E" and explanation.mapping_entry == "clients.client_E"
    metric, amount, moment = explanation.fields
    assert metric.matched == "kind" and metric.found == " Big  SALES " and metric.value == "big sales"
    assert amount.candidates == tuple(gen_events.MAPPINGS["clients"]["client_E"]["fields"]["amount"])
    assert amount.matched == "data.value" and amount.value == "1200.5"
    assert moment.value == "2024-01-05T10:00:00Z" and moment.problem is None and moment.reason is None


def test_a_missing_field_has_no_match_and_says_why(gen_events):
    explanation = explain(Mappings(gen_events.MAPPINGS), '{"source": "nobody", "payload": {"metric": "m"}}')
    assert explanation.mapping_entry == "defaults"
    amount = explanation.fields[1]
    assert (amount.matched, amount.found, amount.value, amount.rule) == (None, None, None, None)
    assert amount.reason == "amount.missing" and amount.problem.startswith("amount: missing")


def test_a_kept_value_with_a_warning_has_both_rule_and_problem(gen_events):
    explanation = explain(Mappings(gen_events.MAPPINGS), json.dumps(
        {"source": "client_D", "payload": {"event": "e", "betrag": "1", "zeit": "27.10.2024 02:30"}}))
    moment = explanation.fields[2]
    assert moment.value is not None and moment.rule is not None and moment.reason == "timestamp.ambiguous"


def test_a_rejection_has_its_reason_and_no_fields():
    explanation = explain(SHIPPED, '{"source": "client_A", "payload": "metric=sales"}')
    assert explanation.rejection and explanation.rejection_reason == "payload.not_object"
    assert explanation.fields == () and explanation.canonical is None and explanation.client_id == "client_A"
    assert explain(SHIPPED, b"\xff").rejection_reason == "input.not_utf8"


def test_found_numbers_stay_exact_in_json():
    explanation = explain(SHIPPED, '{"source": "c", "payload": {"metric": "m", "amount": 12345678901234567.5}}')
    amount = explanation.to_json()["fields"][1]
    assert amount["found"] == "12345678901234567.5" and amount["found_json"] == "12345678901234567.5"
    assert amount["value"] == "12345678901234567.5"
    plain = explain(SHIPPED, '{"source": "c", "payload": {"amount": 1.25}}').to_json()["fields"][1]
    assert plain["found"] == 1.25 and isinstance(explanation.fields[1].found, Decimal)
