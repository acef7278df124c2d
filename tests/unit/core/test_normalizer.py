"""The normalizer (design section 5): field lookup, metrics, warnings, and every client format."""
from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest

from eventdesk.core.canonical import amount_text, timestamp_text
from eventdesk.core.intake import read_envelope
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import MAX_METRIC, Normalizer, lookup, read_metric


def canonical_of(normalizer: Normalizer, source: str, payload: dict) -> tuple:
    c = normalizer.canonical(source, payload)
    return (c.client_id, c.metric, None if c.amount is None else amount_text(c.amount),
            None if c.timestamp is None else timestamp_text(c.timestamp))


def test_the_seed_example(normalizer):
    line = '{"source":"client_A","payload":{"value":"sales","price":"1200","date":"2024/01/01"}}'
    prepared = normalizer.prepare(read_envelope(line))
    c = prepared.canonical
    assert (c.client_id, c.metric, amount_text(c.amount), timestamp_text(c.timestamp)) == \
        ("client_A", "sales", "1200", "2024-01-01T00:00:00Z")
    assert c.warnings == ()
    assert prepared.normalized_hash is not None


# -- field lookup


PATHS = {"amount": (("amount",), ("price",), ("data", "value"), ("total",))}


@pytest.mark.parametrize("payload, expected, found_as", [
    ({"amount": 1, "price": 2}, 1, "amount"),
    ({"price": 2, "amount": 1}, 1, "amount"),
    ({"amount": None, "price": 2}, 2, "price"),
    ({"price": 2, "total": 4}, 2, "price"),
    ({"data": {"value": 3}, "total": 4}, 3, "data.value"),
    ({"data": {"value": None}, "total": 4}, 4, "total"),
    ({"data": {"other": 3}, "total": 4}, 4, "total"),
    ({"data": [{"value": 3}], "total": 4}, 4, "total"),
    ({"data": "value", "total": 4}, 4, "total"),
    ({"data.value": 5, "data": {"value": 3}}, 5, "data.value"),
    ({"data.value": None, "data": {"value": 3}}, 3, "data.value"),
    ({"amount": 0}, 0, "amount"),
    ({"amount": False}, False, "amount"),
    ({"amount": ""}, "", "amount"),
    ({"amount": {}}, {}, "amount"),
    ({"Amount": 1}, None, None),
    ({}, None, None),
], ids=["first", "first-whatever-the-key-order", "null-skipped", "second", "dotted-path", "dotted-null-skipped",
        "dotted-missing", "dotted-through-array", "dotted-through-text", "literal-dotted-key", "literal-null",
        "zero-is-present", "false-is-present", "empty-text-is-present", "object-is-present", "case-matters", "empty"])
def test_the_first_present_non_null_candidate_wins(payload, expected, found_as):
    assert lookup(payload, PATHS["amount"]) == (expected, found_as)


def test_deep_dotted_paths():
    assert lookup({"a": {"b": {"c": {"d": 7}}}}, (("a", "b", "c", "d"),)) == (7, "a.b.c.d")


def test_a_present_but_unreadable_candidate_still_wins_and_warns(normalizer):
    # client_A looks for price before amount: a bad price is not replaced by a good amount
    c = normalizer.canonical("client_A", {"value": "sales", "price": "abc", "amount": 5, "date": "2024-01-01"})
    assert c.amount is None
    assert len(c.warnings) == 1 and "amount 'abc' is not a number" in c.warnings[0]


def test_unknown_fields_are_ignored(normalizer):
    base = {"metric": "sales", "amount": 5, "timestamp": "2024-01-01"}
    noisy = {**base, "session": 12, "sdk": {"v": [1, 2]}, "amountx": "junk", "": None}
    assert canonical_of(normalizer, "client_B", noisy) == canonical_of(normalizer, "client_B", base)
    assert normalizer.canonical("client_B", noisy).warnings == ()


# -- missing and unreadable fields: None and one warning each, never an exception


@pytest.mark.parametrize("payload, nulls, words", [
    ({}, ("metric", "amount", "timestamp"), ["metric: missing", "amount: missing", "timestamp: missing"]),
    ({"metric": None, "amount": None, "timestamp": None}, ("metric", "amount", "timestamp"),
     ["metric: missing", "amount: missing", "timestamp: missing"]),
    ({"metric": 5, "amount": 5, "timestamp": "2024-01-01"}, ("metric",), ["metric is a number"]),
    ({"metric": "   ", "amount": 5, "timestamp": "2024-01-01"}, ("metric",), ["metric is empty text"]),
    ({"metric": ["a"], "amount": 5, "timestamp": "2024-01-01"}, ("metric",), ["metric is an array"]),
    ({"metric": "m", "amount": True, "timestamp": "2024-01-01"}, ("amount",), ["boolean"]),
    ({"metric": "m", "amount": "NaN", "timestamp": "2024-01-01"}, ("amount",), ["not a number"]),
    ({"metric": "m", "amount": {"v": 1}, "timestamp": "2024-01-01"}, ("amount",), ["an object"]),
    ({"metric": "m", "amount": 5, "timestamp": "2024-02-30"}, ("timestamp",), ["not a real date"]),
    ({"metric": "m", "amount": 5, "timestamp": "2024-01-01 10:00 EST"}, ("timestamp",), ["'EST'"]),
    ({"metric": "m", "amount": 5, "timestamp": "March 2024"}, ("timestamp",), ["lacks"]),
    ({"metric": "m", "amount": 5, "timestamp": [1]}, ("timestamp",), ["an array"]),
    ({"metric": 1, "amount": "x", "timestamp": "y"}, ("metric", "amount", "timestamp"),
     ["metric is a number", "amount 'x'", "timestamp 'y'"]),
], ids=["empty", "all-null", "metric-number", "metric-blank", "metric-array", "amount-bool", "amount-nan",
        "amount-object", "impossible-date", "zone-abbreviation", "no-day", "timestamp-array", "all-bad"])
def test_missing_or_unreadable_fields_become_null_with_one_warning_each(normalizer, payload, nulls, words):
    c = normalizer.canonical("client_B", payload)
    for name in ("metric", "amount", "timestamp"):
        assert (getattr(c, name) is None) == (name in nulls), name
    assert len(c.warnings) == len(nulls)
    for warning, word in zip(c.warnings, words):
        assert word in warning


def test_a_missing_warning_names_the_candidates(normalizer):
    c = normalizer.canonical("client_E", {"kind": "sales", "created_at": "2024-01-01"})
    assert c.warnings == ("amount: missing (looked for data.value)",)


# -- metric


@pytest.mark.parametrize("raw, expected", [
    ("sales", "sales"),
    (" Sales ", "sales"),
    ("SALES", "sales"),
    ("  Page   Views\t", "page views"),
    ("page\t\nviews", "page views"),
    ("page\u00a0\u2003views", "page views"),
    ("Äpfel", "äpfel"),
    ("x" * MAX_METRIC, "x" * MAX_METRIC),
], ids=["plain", "blanks-around", "upper", "inner-runs", "tabs-newlines", "unicode-blanks", "unicode", "longest"])
def test_metric_is_trimmed_lowercased_with_blanks_collapsed(raw, expected):
    assert read_metric(raw) == (expected, None)


def test_a_metric_longer_than_the_limit_is_refused():
    metric, warning = read_metric("x" * (MAX_METRIC + 1))
    assert metric is None and warning and "longer than" in warning


# -- client settings


def test_client_id_is_the_source_trimmed_and_picks_the_mapping(normalizer):
    c = normalizer.canonical("  client_D\t", {"event": "Sales", "betrag": "1.200,50 EUR", "zeit": "05.01.2024 10:00"})
    assert (c.client_id, c.metric, amount_text(c.amount), timestamp_text(c.timestamp)) == \
        ("client_D", "sales", "1200.5", "2024-01-05T09:00:00Z")


def test_decimal_comma_and_dayfirst_are_per_client(normalizer):
    payload = {"metric": "m", "amount": "1.234", "timestamp": "05.01.2024"}
    other = normalizer.canonical("client_B", payload)
    assert (amount_text(other.amount), timestamp_text(other.timestamp)) == ("1.234", "2024-05-01T00:00:00Z")
    d = normalizer.canonical("client_D", {"event": "m", "betrag": "1.234", "zeit": "05.01.2024"})
    assert (amount_text(d.amount), timestamp_text(d.timestamp)) == ("1234", "2024-01-04T23:00:00Z")


def test_dst_ambiguity_keeps_the_time_and_warns(normalizer):
    c = normalizer.canonical("client_D", {"event": "m", "betrag": "1", "zeit": "27.10.2024 02:30"})
    assert timestamp_text(c.timestamp) == "2024-10-27T00:30:00Z"
    assert len(c.warnings) == 1 and "ambiguous" in c.warnings[0]


def test_many_unknown_sources_share_the_default_settings(shipped_mappings):
    normalizer = Normalizer(shipped_mappings)
    for i in range(50):
        c = normalizer.canonical(f"source-{i}", {"metric": "m", "amount": i, "timestamp": 0})
        assert c.amount == i
    assert len({id(entry) for entry in normalizer._clients.values()}) == 1


# -- prepare


def test_prepare_leaves_a_rejected_envelope_alone(normalizer):
    prepared = normalizer.prepare(read_envelope("not json"))
    assert prepared.canonical is None and prepared.normalized_hash is None


def test_incomplete_events_carry_their_content_hash_into_the_normalized_hash(normalizer):
    one = normalizer.prepare(read_envelope('{"source":"client_B","payload":{"metric":"m","amount":1,"x":1}}'))
    two = normalizer.prepare(read_envelope('{"source":"client_B","payload":{"metric":"m","amount":1,"x":2}}'))
    assert one.canonical.timestamp is None
    assert one.normalized_hash != two.normalized_hash


def test_complete_events_with_the_same_fact_share_the_normalized_hash(normalizer):
    one = normalizer.prepare(read_envelope(
        '{"source":"client_B","payload":{"metric":"Sales","amount":1200.5,"timestamp":"2024-01-01T10:00:00Z"}}'))
    two = normalizer.prepare(read_envelope(
        '{"source":"client_B","payload":{"metric":"sales ","amount":"1,200.50","timestamp":"2024-01-01T12:00:00+02:00"}}'))
    assert one.envelope.content_hash != two.envelope.content_hash
    assert one.normalized_hash == two.normalized_hash


# -- every client format of the generator, primary and alternate, gives the same canonical event


def rendered(gen_events, rng, client, metric, amount, moment, alt):
    payload = gen_events.render(rng, client, metric, amount, moment, alt=alt)
    return json.dumps({"source": client, "payload": payload}, ensure_ascii=False)


@pytest.mark.parametrize("client", ["client_A", "client_B", "client_C", "client_D", "client_E"])
def test_generator_formats_normalize_to_the_fact(gen_events, client):
    normalizer = Normalizer(Mappings(gen_events.MAPPINGS))
    rng = random.Random(f"formats-{client}")
    checked = 0
    while checked < 300:
        metric, amount, moment = gen_events.fact(rng, client)
        if gen_events.ambiguous_local(client, moment):
            continue  # the generator never writes a wall time that names two instants
        expected = (client, metric, amount_text(amount), timestamp_text(moment))
        hashes = set()
        for alt in (False, True):
            prepared = normalizer.prepare(read_envelope(rendered(gen_events, rng, client, metric, amount, moment, alt)))
            c = prepared.canonical
            assert c.warnings == (), (alt, prepared.envelope.text)
            assert (c.client_id, c.metric, amount_text(c.amount), timestamp_text(c.timestamp)) == expected
            hashes.add(prepared.normalized_hash)
        assert len(hashes) == 1
        checked += 1


def test_generator_stream_has_no_field_warnings(gen_events, generate):
    events, truth, mappings_path = generate(3000, seed=5)
    normalizer = Normalizer(Mappings.from_json(mappings_path.read_text(encoding="utf-8")))
    accepted = 0
    for line in events.read_bytes().splitlines():
        prepared = normalizer.prepare(read_envelope(line))
        if prepared.canonical is not None:
            assert prepared.canonical.warnings == (), line
            accepted += 1
    assert accepted == truth["lines"] - truth["rejected"]


def test_amounts_are_exact_decimals(normalizer):
    c = normalizer.canonical("client_B", {"metric": "m", "amount": Decimal("0.1"), "timestamp": 0})
    assert c.amount == Decimal("0.1") and isinstance(c.amount, Decimal)
