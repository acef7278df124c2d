"""Canonical JSON (RFC 8785) and the hashes of design section 4."""
from __future__ import annotations

import hashlib
import json
import struct
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from eventdesk.core.canonical import (
    MAX_DEPTH,
    NotCanonicalizable,
    amount_text,
    brief,
    canonical_json,
    content_hash,
    es6_number,
    json_type,
    normalized_hash,
    sha256_hex,
    timestamp_text,
)
from eventdesk.core.intake import parse_json

# RFC 8785 Appendix B: IEEE 754 doubles (as hex) and the text JCS writes for them.
RFC8785_APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def from_hex(bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(bits))[0]


@pytest.mark.parametrize("bits, expected", RFC8785_APPENDIX_B, ids=[e for _, e in RFC8785_APPENDIX_B])
def test_rfc8785_appendix_b_doubles(bits, expected):
    value = from_hex(bits)
    assert es6_number(value) == expected
    assert canonical_json(value) == expected


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"],
                         ids=["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinities_have_no_json_form(bits):
    with pytest.raises(NotCanonicalizable):
        canonical_json(from_hex(bits))


# JSON number text as received (read exactly, as intake does) and the canonical text.
JSON_NUMBERS = [
    ("1e21", "1e+21"),
    ("1E21", "1e+21"),
    ("1000000000000000000000", "1e+21"),
    ("1e-7", "1e-7"),
    ("0.0000001", "1e-7"),
    ("0.000001", "0.000001"),
    ("1e-6", "0.000001"),
    ("123456789012345680000", "123456789012345680000"),
    ("-0", "0"),
    ("-0.0", "0"),
    ("0e10", "0"),
    ("4.50", "4.5"),
    ("2e-3", "0.002"),
    ("1E30", "1e+30"),
    ("0.000000000000000000000000001", "1e-27"),
    ("1200", "1200"),
    ("1200.0", "1200"),
    ("1.2e3", "1200"),
    ("-12.50", "-12.5"),
    ("100", "100"),
    ("1e2", "100"),
    ("0.1", "0.1"),
    ("1.5e-7", "1.5e-7"),
    ("1e+16", "10000000000000000"),
    ("9007199254740992", "9007199254740992"),
]


@pytest.mark.parametrize("text, expected", JSON_NUMBERS, ids=[t for t, _ in JSON_NUMBERS])
def test_json_numbers_are_written_as_rfc8785_writes_them(text, expected):
    assert canonical_json(parse_json(text)) == expected


@pytest.mark.parametrize("text", [t for t, _ in JSON_NUMBERS], ids=[t for t, _ in JSON_NUMBERS])
def test_a_number_and_its_double_agree_where_the_double_is_exact(text):
    value = parse_json(text)
    assert canonical_json(value) == canonical_json(float(value))


# The deliberate deviation: numbers with more digits than a double holds stay exact.
EXACT_BEYOND_DOUBLES = [
    ("9007199254740993", "9007199254740993"),            # 2**53 + 1: a double would say ...992
    ("1152921504606846976", "1152921504606846976"),      # 2**60: JCS writes 1152921504606847000
    ("12345678901234567.5", "12345678901234567.5"),      # a double would say 12345678901234568
    ("0.30000000000000001", "0.30000000000000001"),      # a double would say 0.3
    ("1000000000000000000001", "1.000000000000000000001e+21"),
    ("1e400", "1e+400"),                                  # beyond a double's range
    ("-1.2345678901234567890123456789012345e400", "-1.2345678901234567890123456789012345e+400"),
    ("1e-400", "1e-400"),
]


@pytest.mark.parametrize("text, expected", EXACT_BEYOND_DOUBLES, ids=[t for t, _ in EXACT_BEYOND_DOUBLES])
def test_numbers_beyond_a_double_keep_their_digits(text, expected):
    assert canonical_json(parse_json(text)) == expected


def test_integers_of_any_size_stay_exact_and_distinct():
    big = 10**5000  # more digits than int() may print by default
    assert canonical_json(big) == "1e+5000"
    assert canonical_json(big + 1) != canonical_json(big)
    assert canonical_json(-(2**64)) == "-18446744073709551616"


def test_different_amounts_never_share_a_content_hash():
    a = content_hash("client_B", {"amount": parse_json("12345678901234567.5")})
    b = content_hash("client_B", {"amount": parse_json("12345678901234568")})
    assert a != b


def test_rfc8785_key_order_is_by_utf16_code_units():
    # RFC 8785 section 3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33.
    value = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\U0001F600": "Emoji: Grinning Face", "\u0080": "Control",
             "\u00f6": "Latin Small Letter O With Diaeresis"}
    order = [key for key in json.loads(canonical_json(value))]
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001F600", "\ufb33"]


@pytest.mark.parametrize("keys, expected", [
    (["b", "a", "B", "aa", ""], ["", "B", "a", "aa", "b"]),
    (["\ufb33", "\U0001F600"], ["\U0001F600", "\ufb33"]),
    (["\uffff", "\U00010000"], ["\U00010000", "\uffff"]),
    (["\ue000", "\ud7ff", "\U0010ffff"], ["\ud7ff", "\U0010ffff", "\ue000"]),
], ids=["ascii", "emoji-vs-fb33", "ffff-vs-10000", "private-use"])
def test_keys_sorted_by_utf16_code_units(keys, expected):
    text = canonical_json({k: 0 for k in keys})
    assert list(json.loads(text)) == expected


def test_nested_objects_are_sorted_too():
    assert canonical_json({"b": {"d": 1, "c": [{"f": 1, "e": 2}]}, "a": None}) == \
        '{"a":null,"b":{"c":[{"e":2,"f":1}],"d":1}}'


STRINGS = [
    ("\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"/", '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'),  # RFC 8785 3.2.2.2
    ("\x00", '"\\u0000"'),
    ("\x1f", '"\\u001f"'),
    ("\x0b", '"\\u000b"'),
    ("\b\f\n\r\t", '"\\b\\f\\n\\r\\t"'),
    ("\x7f", '"\x7f"'),
    ("/", '"/"'),
    ("\u2028\u2029", '"\u2028\u2029"'),
    ("é€😀", '"é€😀"'),
]


@pytest.mark.parametrize("text, expected", STRINGS, ids=["rfc-example", "nul", "unit-separator", "vtab",
                                                         "short-escapes", "del", "slash", "line-sep", "unicode"])
def test_strings_carry_only_the_mandatory_escapes(text, expected):
    assert canonical_json(text) == expected


@pytest.mark.parametrize("value, expected", [
    (True, "true"), (False, "false"), (None, "null"), ([], "[]"), ({}, "{}"),
    ([1, "a", None, [True]], '[1,"a",null,[true]]'),
    ((1, 2), "[1,2]"),
], ids=["true", "false", "null", "empty-array", "empty-object", "array", "tuple"])
def test_literals_and_containers(value, expected):
    assert canonical_json(value) == expected


def test_rfc8785_sample_object():
    text = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
            ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
            ' "literals": [null, true, false]}')
    value = json.loads(text)  # as doubles, which is what the RFC's example means
    assert canonical_json(value) == (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')


@pytest.mark.parametrize("value", [
    float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity"), Decimal("sNaN"),
    {1: "a"}, {"a": 1, 2: "b"}, {(1, 2): 0}, {"a": {"b": {3: 0}}}, {1, 2}, object(), b"bytes",
], ids=["nan", "inf", "decimal-nan", "decimal-inf", "decimal-snan", "int-key", "mixed-keys",
        "tuple-key", "nested-int-key", "set", "object", "bytes"])
def test_values_json_cannot_carry_are_refused(value):
    with pytest.raises(NotCanonicalizable):
        canonical_json(value)


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_nesting_up_to_the_limit_is_fine_and_beyond_is_refused():
    assert canonical_json(nested(MAX_DEPTH)).count("[") == MAX_DEPTH
    with pytest.raises(NotCanonicalizable, match="nested deeper"):
        canonical_json(nested(MAX_DEPTH + 1))


def test_subclasses_of_json_types_are_written_as_their_base():
    class Text(str):
        pass

    class Number(int):
        pass

    assert canonical_json({Text("k"): [Text("v"), Number(3)]}) == '{"k":["v",3]}'


# -- content hash


def line_hash(line: str) -> str:
    value = parse_json(line)
    return content_hash(value["source"], value["payload"])


@pytest.mark.parametrize("other", [
    '{"payload":{"price":"1200","value":"sales","date":"2024/01/01"},"source":"client_A"}',
    '{ "source" : "client_A" ,\n "payload" : { "value" : "sales" , "price" : "1200" , "date" : "2024/01/01" } }',
    '{"source":"client_A","payload":{"value":"sales","price":"1200","date":"2024/01/01"},"x":1}',
], ids=["key-order", "whitespace", "extra-top-level-key"])
def test_content_hash_ignores_key_order_and_whitespace(other):
    seed = '{"source":"client_A","payload":{"value":"sales","price":"1200","date":"2024/01/01"}}'
    assert line_hash(other) == line_hash(seed)


@pytest.mark.parametrize("a, b", [
    ("1200", "1200.0"), ("1200", "1.2e3"), ("1200", "12e2"), ("0.5", "5e-1"), ("-0", "0"), ("1e21", "1000000000000000000000"),
], ids=["1200-vs-1200.0", "exponent", "exponent-no-point", "fraction", "minus-zero", "1e21"])
def test_content_hash_ignores_how_a_number_is_written(a, b):
    template = '{"source":"s","payload":{"amount":%s}}'
    assert line_hash(template % a) == line_hash(template % b)


def test_content_hash_is_sha256_of_the_canonical_text():
    payload = {"b": Decimal("1.50"), "a": ["x", None, True]}
    expected = hashlib.sha256(b'{"payload":{"a":["x",null,true],"b":1.5},"source":"s"}').hexdigest()
    assert content_hash("s", payload) == expected


def test_content_hash_of_a_source_that_is_not_text_still_works():
    assert content_hash(None, {}) == sha256_hex('{"payload":{},"source":null}')


def test_content_hash_refuses_non_text_keys():
    with pytest.raises(NotCanonicalizable):
        content_hash("s", {1: 2})


def test_sha256_hex_of_text_is_of_its_utf8_bytes():
    assert sha256_hex("é") == hashlib.sha256("é".encode()).hexdigest() == sha256_hex("é".encode())


# -- amount and timestamp text

AMOUNT_TEXTS = [
    ("1200.50", "1200.5"), ("1200", "1200"), ("1200.00", "1200"), ("1.2E+3", "1200"), ("1E+21", "1000000000000000000000"),
    ("-0", "0"), ("-0.00", "0"), ("0E-10", "0"), ("0.000", "0"), ("-12.50", "-12.5"),
    ("1E-18", "0.000000000000000001"), ("100", "100"), ("10", "10"), ("0.10", "0.1"),
]


@pytest.mark.parametrize("amount, expected", AMOUNT_TEXTS, ids=[a for a, _ in AMOUNT_TEXTS])
def test_amount_text_has_no_exponent_and_no_trailing_zeros(amount, expected):
    assert amount_text(Decimal(amount)) == expected


UTC = timezone.utc
TIMESTAMP_TEXTS = [
    (datetime(2024, 1, 1, tzinfo=UTC), "2024-01-01T00:00:00Z"),
    (datetime(2024, 1, 1, 10, 0, 0, 500000, tzinfo=UTC), "2024-01-01T10:00:00.500000Z"),
    (datetime(2024, 1, 1, 10, 0, 0, 1, tzinfo=UTC), "2024-01-01T10:00:00.000001Z"),
    (datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC), "0999-12-31T23:59:59Z"),
    (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
    (datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))), "2024-01-01T10:00:00Z"),
    (datetime(2024, 1, 1, 12), "2024-01-01T12:00:00Z"),
]


@pytest.mark.parametrize("moment, expected", TIMESTAMP_TEXTS,
                         ids=["midnight", "fraction", "one-micro", "year-999", "year-1", "offset", "naive"])
def test_timestamp_text_is_utc_iso_with_z(moment, expected):
    assert timestamp_text(moment) == expected


# -- normalized hash

MOMENT = datetime(2024, 1, 1, tzinfo=UTC)


def reference_normalized_hash(client_id, metric, amount, timestamp, raw):
    fields = {"client_id": client_id, "metric": metric,
              "amount": None if amount is None else amount_text(amount),
              "timestamp": None if timestamp is None else timestamp_text(timestamp)}
    if None in (metric, amount, timestamp):
        fields["content_hash"] = raw
    return sha256_hex(canonical_json(fields))


@pytest.mark.parametrize("client_id, metric, amount, timestamp", [
    ("client_A", "sales", Decimal(1200), MOMENT),
    ("client_A", None, Decimal(1200), MOMENT),
    ("client_A", "sales", None, MOMENT),
    ("client_A", "sales", Decimal(1200), None),
    ("c\u00e9\"\\", "m\x00\U0001F600", Decimal("-0.5"), MOMENT.replace(microsecond=7)),
], ids=["complete", "no-metric", "no-amount", "no-timestamp", "odd-text"])
def test_normalized_hash_is_the_canonical_json_of_the_four_fields(client_id, metric, amount, timestamp):
    assert normalized_hash(client_id, metric, amount, timestamp, "raw") == \
        reference_normalized_hash(client_id, metric, amount, timestamp, "raw")


def test_normalized_hash_ignores_how_the_amount_was_written():
    assert normalized_hash("c", "m", Decimal("1200.50"), MOMENT, "r1") == \
        normalized_hash("c", "m", Decimal("1.2005E+3"), MOMENT, "r2")


def test_normalized_hash_tells_different_days_apart():
    assert normalized_hash("c", "m", Decimal(1), MOMENT, "r") != \
        normalized_hash("c", "m", Decimal(1), MOMENT + timedelta(days=1), "r")


def test_incomplete_events_never_swallow_each_other():
    assert normalized_hash("c", None, Decimal(1), MOMENT, "raw-1") != \
        normalized_hash("c", None, Decimal(1), MOMENT, "raw-2")
    assert normalized_hash("c", "m", Decimal(1), MOMENT, "raw-1") == \
        normalized_hash("c", "m", Decimal(1), MOMENT, "raw-2")


# -- message helpers


@pytest.mark.parametrize("value, expected", [
    ("abc", "'abc'"), ("x" * 100, repr("x" * 60 + "...")), (12, "12"), (10**5000, "1.000000e+5000"),
    (Decimal("1.5"), "1.5"), (Decimal("1e-400"), "1E-400"), (Decimal("1" * 100), "1.111111e+99"),
    (True, "true"), (None, "null"), (1.5, "1.5"), ([1], "an array"),
], ids=["text", "long-text", "int", "huge-int", "decimal", "tiny-decimal", "long-decimal", "bool", "null",
        "float", "array"])
def test_brief_never_fails_and_stays_short(value, expected):
    assert brief(value) == expected


@pytest.mark.parametrize("value, expected", [
    ({}, "an object"), ([], "an array"), ("", "text"), (True, "a boolean"), (None, "null"),
    (1, "a number"), (Decimal(1), "a number"), (object(), "object"),
], ids=["object", "array", "text", "boolean", "null", "int", "decimal", "other"])
def test_json_type_names(value, expected):
    assert json_type(value) == expected
