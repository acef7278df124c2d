"""The fast reading path must give exactly the answer of the exact path, or step aside."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventdesk.core import fastjson
from eventdesk.core.canonical import canonical_json
from eventdesk.core.intake import read_envelope
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12)


def same_answer(text: str | bytes) -> None:
    slow = read_envelope(text)
    fast = fastjson.read_envelope_fast(text)
    assert (fast.content_hash, fast.source, fast.rejection, fast.simulate_failure, fast.text) == (
        slow.content_hash, slow.source, slow.rejection, slow.simulate_failure, slow.text)
    if slow.payload is not None:
        normalizer = Normalizer(Mappings.builtin())
        quick, exact = normalizer.prepare(fast), normalizer.prepare(slow)
        assert (quick.canonical, quick.normalized_hash) == (exact.canonical, exact.normalized_hash)


@given(payload=st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5), source=st.text(min_size=1, max_size=5))
@settings(max_examples=300)
def test_fast_path_agrees_on_any_event(payload, source):
    same_answer(json.dumps({"source": source, "payload": payload}, ensure_ascii=False))


@given(amount=st.floats(allow_nan=False, allow_infinity=False), stamp=st.floats(min_value=0, max_value=4e9))
@settings(max_examples=300)
def test_fast_path_agrees_on_numbers(amount, stamp):
    same_answer(json.dumps({"source": "a", "payload": {"metric": "m", "amount": amount, "timestamp": stamp}}))


@pytest.mark.parametrize("text", [
    '{"source":"a","payload":{"amount":1200.0,"x":1e-7,"y":1e21,"z":0.1000000000000000055}}',
    '{"source":"a","payload":{"n":123456789012345678901234567890}}',
    '{"source":"a","payload":{"\\ud83d\\ude00":1,"\\ufb33":2}}',
    '{"source":"a","payload":{"s":"\\ud800"}}',
    '{"source":"a","payload":{"a":1,"a":2}}',
    '{"source":"a","payload":{"v":NaN}}',
    '{"payload":{}}', '[1]', 'not json', '{"source":"a","payload":[]}',
    '{"source":"a","payload":{"v":1},"simulateFailure":true}',
])
def test_fast_path_agrees_on_edge_cases(text):
    same_answer(text)
    same_answer(text.encode())


def test_fast_path_is_taken_for_ordinary_events():
    assert fastjson._fast(b'{"source":"c","payload":{"metric":"m","amount":12.5,"ts":1704067200}}') is not None


# -- numbers whose double is not the number written (issue 8, item 3)

INEXACT = ["1e-400", "-1e-400", "1e400", "-1e400", "1E-400", "1e-0400", "0.5e-323", "1e-320", "5e-324",
           "-5e-324", "4.9e-324", "2.5e-308", "2.2250738585072014e-308", "1.7976931348623157e308", "1.8e308",
           "-0", "-0.0", "0e5", "0E-5", "0.0e999", "-0e-999", "1E+2", "1e2", "100e-2", "1e16", "1e21",
           "1.5e300", "9.99e-5", "1e-7", "18446744073709551616", "-18446744073709551617",
           "9223372036854775808", "-9223372036854775809", "123456789012345678", "0.1000000000000000055",
           "12345678901234567.5", "1.00000000000000000001", "3.14159265358979323846", "1e-5", "123e-330"]
number_texts = st.sampled_from(INEXACT) | st.builds(
    lambda sign, whole, frac, mark, exp: f"{sign}{whole}{'.' + frac if frac else ''}{mark}{exp}",
    st.sampled_from(["", "-"]), st.integers(0, 10**20).map(str), st.text("0123456789", max_size=20),
    st.sampled_from(["e", "E", "e+", "e-", "E-"]), st.integers(0, 999).map(str))
keys = st.sampled_from(["amount", "price", "value", "timestamp", "ts", "metric", "data", "x"])
json_texts = st.recursive(
    number_texts | st.sampled_from(['"sales"', "null", "true", "1200", "12.5"]),
    lambda children: st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
    | st.dictionaries(keys, children, max_size=4).map(
        lambda d: "{" + ",".join(f'"{k}":{v}' for k, v in d.items()) + "}"),
    max_leaves=10)


def same_payload(text: str) -> None:
    slow, fast = read_envelope(text), fastjson.read_envelope_fast(text)
    if slow.payload is not None:
        assert canonical_json(fast.payload) == canonical_json(slow.payload)


@given(amount=number_texts, stamp=number_texts, nested=json_texts, metric=st.sampled_from(['"m"', '" M  x"']))
@settings(max_examples=400)
def test_fast_path_agrees_on_numbers_a_double_cannot_hold(amount, stamp, nested, metric):
    text = (f'{{"source":"client_A","payload":{{"metric":{metric},"price":{amount},"date":{stamp},'
            f'"data":{nested},"list":[{{"a":{amount}}},{nested}]}}}}')
    same_answer(text)
    same_answer(text.encode())
    same_payload(text)


@pytest.mark.parametrize("number", INEXACT)
@pytest.mark.parametrize("where", ["amount", "nested", "array"])
def test_each_inexact_number_has_one_hash_and_one_amount(number, where):
    payload = {"amount": f'{{"metric":"m","amount":{number}}}',
               "nested": f'{{"metric":"m","amount":1,"deep":{{"x":{{"y":{number}}}}}}}',
               "array": f'{{"metric":"m","amount":1,"items":[{{"k":{number}}},[{number}]]}}'}[where]
    text = f'{{"source":"client_B","payload":{payload}}}'
    same_answer(text)
    same_payload(text)


@pytest.mark.parametrize("number", ["1e-400", "-1e-400", "1e400", "5e-324", "2.5e-308", "1e-0400"])
def test_an_amount_outside_the_range_is_null_with_a_warning_on_either_path(number):
    text = f'{{"source":"client_B","payload":{{"metric":"m","amount":{number},"timestamp":1704067200}}}}'
    normalizer = Normalizer(Mappings.builtin())
    for envelope in (read_envelope(text), fastjson.read_envelope_fast(text)):
        canonical = normalizer.prepare(envelope).canonical
        assert canonical.amount is None
        assert any("outside the supported range" in w for w in canonical.warnings)


def test_one_zero_literal_still_takes_the_fast_path():
    assert fastjson._fast(b'{"source":"c","payload":{"amount":0.0,"b":-0,"c":0e5,"d":1E+2}}') is not None
