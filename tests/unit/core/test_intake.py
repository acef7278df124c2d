"""Reading one input into an Envelope (design sections 3 and 4): acceptance, rejection, hashes."""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from eventdesk.core.canonical import MAX_DEPTH, canonical_json, content_hash
from eventdesk.core.intake import MAX_EVENT_BYTES, parse_json, payload_of, read_envelope

SEED = '{"source":"client_A","payload":{"value":"sales","price":"1200","date":"2024/01/01"}}'


def test_a_valid_event_becomes_an_envelope():
    envelope = read_envelope(SEED)
    assert envelope.rejection is None
    assert envelope.source == "client_A"
    assert envelope.payload == {"value": "sales", "price": "1200", "date": "2024/01/01"}
    assert envelope.text == SEED
    assert envelope.content_hash == content_hash("client_A", envelope.payload)
    assert envelope.simulate_failure is False


def test_bytes_and_text_give_the_same_envelope():
    assert read_envelope(SEED.encode()).content_hash == read_envelope(SEED).content_hash
    assert read_envelope(SEED.encode()).payload == read_envelope(SEED).payload


@pytest.mark.parametrize("line", [
    SEED.replace("{", " {\n", 1) + " \r\n",
    "\ufeff" + SEED,
    "\ufeff " + SEED,
], ids=["blanks-around", "byte-order-mark", "bom-then-blank"])
def test_blanks_and_a_byte_order_mark_around_the_value_are_fine(line):
    envelope = read_envelope(line)
    assert envelope.rejection is None
    assert envelope.content_hash == read_envelope(SEED).content_hash
    assert envelope.text == line


def test_fractions_are_read_exactly():
    envelope = read_envelope('{"source":"s","payload":{"amount":0.1,"n":1200,"big":1e400}}')
    assert envelope.payload == {"amount": Decimal("0.1"), "n": 1200, "big": Decimal("1e400")}
    assert type(envelope.payload["n"]) is int


def test_simulate_failure_is_read_only_when_exactly_true():
    assert read_envelope('{"source":"s","payload":{},"simulateFailure":true}').simulate_failure is True
    assert read_envelope('{"source":"s","payload":{},"simulateFailure":"true"}').simulate_failure is False
    assert read_envelope('{"source":"s","payload":{},"simulateFailure":1}').simulate_failure is False


def test_the_source_is_kept_as_sent_and_trimmed_only_for_the_client_id():
    envelope = read_envelope('{"source":" client_A ","payload":{}}')
    assert envelope.source == " client_A "
    assert envelope.content_hash != read_envelope('{"source":"client_A","payload":{}}').content_hash


# (input, words in the rejection reason)
REJECTED = [
    ("", "not valid JSON"),
    ("   ", "not valid JSON"),
    ("not json", "not valid JSON"),
    ('{"source": "client_A", "payload": {"value": "sales"', "not valid JSON"),
    ("{'source': 'a'}", "not valid JSON"),
    ('{"source":"s","payload":{}} {}', "not valid JSON: Extra data"),
    ('{"source":"s","payload":{}}x', "Extra data"),
    ('{"source":"s","payload":{"a":NaN}}', "NaN is not allowed"),
    ('{"source":"s","payload":{"a":Infinity}}', "Infinity is not allowed"),
    ('{"source":"s","payload":{"a":-Infinity}}', "Infinity is not allowed"),
    ('{"source":"s","payload":{"a":"\x01"}}', "not valid JSON"),
    ('{"source":"s","payload":{"a":' + "1" * 5000 + "}}", "not valid JSON"),
    ("[1, 2]", "an array"),
    ('"text"', "a string"),
    ("12", "a number"),
    ("1.5", "a number"),
    ("true", "a boolean"),
    ("null", "null"),
    ('{"payload": {"metric": "sales"}}', "source is missing"),
    ('{"source": null, "payload": {}}', "source is missing"),
    ('{"source": "", "payload": {}}', "source is empty"),
    ('{"source": "  \\t", "payload": {}}', "source is empty"),
    ('{"source": 5, "payload": {}}', "source must be text, not a number"),
    ('{"source": ["a"], "payload": {}}', "source must be text, not an array"),
    ('{"source": "s"}', "payload is missing"),
    ('{"source": "s", "payload": null}', "payload is missing"),
    ('{"source": "s", "payload": "metric=sales;amount=1"}', "payload must be an object"),
    ('{"source": "s", "payload": [1]}', "payload must be an object, not an array"),
    ('{"source": "s", "payload": {"a": "\\ud800"}}', "lone surrogate"),
    ('{"source": "\\udfff", "payload": {}}', "lone surrogate"),
    ('{"source": "s", "payload": {"\\ud83d": 1}}', "lone surrogate"),
    ('{"source": "s", "payload": {"a": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}}", "nested deeper"),
    ('{"source": "s", "payload": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    (b"\xff\xfe{}", "not valid UTF-8: byte 0xff at position 0"),
    (b'{"source":"s","payload":{"a":"\xc3"}}', "not valid UTF-8"),
    ('{"source":"s","payload":{"a":"\udcff"}}', "not valid UTF-8"),
    ('{"source":"s","payload":{"a":"\ud800"}}', "not valid UTF-8"),
]


@pytest.mark.parametrize("received, words", REJECTED, ids=[repr(r)[:50] for r, _ in REJECTED])
def test_structurally_invalid_input_is_rejected_with_a_reason(received, words):
    envelope = read_envelope(received)
    assert envelope.rejection is not None and words in envelope.rejection
    assert envelope.payload is None
    assert len(envelope.content_hash) == 64
    assert envelope.text == received or envelope.text == received.encode("utf-8", "surrogatepass") \
        or envelope.text == received.encode("utf-8", "surrogateescape")


def test_the_hash_of_text_that_is_not_json_is_of_its_bytes():
    assert read_envelope("not json").content_hash == hashlib.sha256(b"not json").hexdigest()
    assert read_envelope(b"\xff").content_hash == hashlib.sha256(b"\xff").hexdigest()


def test_rejected_json_is_hashed_canonically_so_resends_match():
    one = read_envelope('{"source": "", "payload": {"b": 1, "a": 2}}')
    two = read_envelope('{"payload":{"a":2,"b":1.0},"source":""}')
    assert one.rejection and one.content_hash == two.content_hash
    expected = hashlib.sha256(canonical_json(json.loads('{"source":"","payload":{"a":2,"b":1}}')).encode()).hexdigest()
    assert one.content_hash == expected


def test_an_oversized_event_is_rejected_unread():
    big = '{"source":"s","payload":{"a":"' + "é" * (MAX_EVENT_BYTES // 2) + '"}}'  # > limit in UTF-8 bytes
    envelope = read_envelope(big)
    assert envelope.rejection and "larger than" in envelope.rejection


def test_parse_json_refuses_extra_data_and_constants():
    assert parse_json(' {"a": [1, 2.5]} ') == {"a": [1, Decimal("2.5")]}
    for text in ("{} {}", "NaN", "[Infinity]"):
        with pytest.raises(ValueError):
            parse_json(text)


@pytest.mark.parametrize("text, expected", [
    (SEED, {"value": "sales", "price": "1200", "date": "2024/01/01"}),
    (SEED.encode(), {"value": "sales", "price": "1200", "date": "2024/01/01"}),
    ("[1, 2]", [1, 2]),
    ("not json", None),
    (b"\xff", None),
], ids=["event", "bytes", "array", "not-json", "not-utf8"])
def test_payload_of_for_display(text, expected):
    assert payload_of(text) == expected


# (received, the source a rejected event keeps): a source is readable when it is JSON text that
# is not blank and is valid Unicode; it is kept trimmed. Anything else is no source (None).
REJECTED_SOURCES = [
    ('{"source": "client_A"}', "client_A"),
    ('{"source": "client_A", "payload": null}', "client_A"),
    ('{"source": "client_A", "payload": 5}', "client_A"),
    ('{"source": "client_A", "payload": "a=1"}', "client_A"),
    ('{"source": "client_A", "payload": [1, 2]}', "client_A"),
    ('{"source": "client_A", "payload": true, "extra": {"x": 1}, "simulateFailure": false}', "client_A"),
    ('{"source": "  client_A\\t", "payload": 5}', "client_A"),
    ('{"source": "client_A", "payload": {"a": "\\ud800"}}', "client_A"),
    ('{"source": "client_A", "payload": {"a": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}}",
     "client_A"),
    ('{"payload": 7, "source": "client_B", "nested": {"source": "client_A"}}', "client_B"),
    ('{"source": 5, "payload": {}}', None),
    ('{"source": true, "payload": {}}', None),
    ('{"source": {"name": "client_A"}, "payload": {}}', None),
    ('{"source": "   ", "payload": 5}', None),
    ('{"source": "\\udfff", "payload": 5}', None),
    ('["client_A"]', None),
    ('"client_A"', None),
    ('{"source": "client_A", "payload": ' + "[" * 100_000 + "]" * 100_000 + "}", None),
    ('{"source": "client_A", "payload": {}', None),
]


@pytest.mark.parametrize("received, source", REJECTED_SOURCES, ids=[r[:40] for r, _ in REJECTED_SOURCES])
def test_a_rejected_event_keeps_its_source_where_it_can_be_read(received, source):
    envelope = read_envelope(received)
    assert envelope.rejection is not None
    assert envelope.source == source
