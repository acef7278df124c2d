"""The fast reading path must give exactly the answer of the exact path, or step aside."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventdesk.core import fastjson
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
