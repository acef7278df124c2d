"""Every input of a JSON-lines or JSON-array stream is accounted for (issue 8, item 1).

Each complete element is processed; each piece that cannot be read becomes a rejected event
with its text and its byte position; nothing is dropped. Streams are read in tiny chunks as
well, so that arrays split across read-buffer boundaries are covered.
"""
from __future__ import annotations

import io
import json

import pytest

from eventdesk.core.ingest import IngestSummary, ingest_stream, read_events, read_inputs
from eventdesk.core.model import BatchOutcome, Outcome, SubmitResult
from eventdesk.core.parallel import prepare_batch
from eventdesk.core.rows import STATUS, rows_of

BOM = b"\xef\xbb\xbf"
CHUNKS = [1, 2, 3, 7, 64, 1 << 16]


def event(n: int) -> bytes:
    return json.dumps({"source": "client_B", "payload": {"metric": "m", "amount": n,
                                                        "timestamp": "2024-01-01T00:00:00Z"}}).encode()


def envelopes(data: bytes, normalizer, fmt: str = "auto", chunk_size: int = 1 << 16):
    items = list(read_inputs(io.BytesIO(data), fmt, chunk_size=chunk_size))
    return prepare_batch(normalizer, items)


def text(prepared) -> str:
    received = prepared.envelope.text
    return received.decode("utf-8", "replace") if isinstance(received, bytes) else received


def accepted(result) -> list[int]:
    return [int(p.canonical.amount) for p in result if p.envelope.rejection is None]


def rejected(result) -> list[str]:
    return [text(p) for p in result if p.envelope.rejection is not None]


A, B, C = event(1), event(2), event(3)


@pytest.mark.parametrize("chunk", CHUNKS)
@pytest.mark.parametrize("data, good, bad, only_arrays", [
    (b"[" + A + b"," + B + b"]", [1, 2], [], True),
    (b"[\r\n " + A + b",\r\n " + B + b"\r\n]\r\n", [1, 2], [], True),
    (BOM + b"[" + A + b"," + B + b"]\n", [1, 2], [], True),
    (b"[" + A + b"}, " + B + b"]", [2], [A.decode() + "}"], True),                 # stray brace
    (b"[" + A + b"]]\n" + B + b"\n", [1, 2], ["]"], False),                          # stray bracket
    (b"[" + A + b"]\n[" + B + b"," + C + b"]\n", [1, 2, 3], [], True),              # cat a.json b.json
    (b"[" + A + b"][" + B + b"]", [1, 2], [], True),
    (b"[" + A + b"]\n" + B + b"\n" + C + b"\n", [1, 2, 3], [], False),                # JSON lines after it
    (b"[" + A + b"] garbage\n[" + B + b"]\n", [1, 2], ["garbage"], True),
    (b"[" + A + b"]\ngarbage\n\n[" + B + b"]\n", [1, 2], ["garbage"], True),
    (b"[" + A + b", [1, 2], " + B + b"]", [1, 2], ["[1, 2]"], True),               # nested array element
    (b"[" + A + b", " + B[:-9], [1], [B[:-9].decode()], True),                     # truncated last element
    (b"[" + A + b', {"source": "x", "payload": "a}\n, ' + B + b"]\n" + C, [1, 3], [], False),  # broken string
    (b"[]", [], [], True),
    (b"[ ]\n[]\n", [], [], True),
])
def test_arrays_keep_every_element_and_reject_every_unreadable_piece(data, good, bad, only_arrays, chunk,
                                                                    normalizer):
    for fmt in ("auto", "array") if only_arrays else ("auto",):
        result = envelopes(data, normalizer, fmt, chunk)
        assert accepted(result) == good, fmt
        found = rejected(result)
        assert [t for t in found if not t.startswith('{"source": "x"')] == bad, fmt


@pytest.mark.parametrize("chunk", CHUNKS)
def test_a_rejected_piece_names_its_byte_position(chunk, normalizer):
    data = b"[" + A + b",\n  nonsense,\n" + B + b"]\n]\n"
    result = envelopes(data, normalizer, chunk_size=chunk)
    reasons = {text(p): p.envelope.rejection for p in result if p.envelope.rejection}
    assert set(reasons) == {"nonsense", "]"}
    assert f"byte {data.index(b'nonsense')}" in reasons["nonsense"]
    assert f"byte {data.rindex(b']')}" in reasons["]"]


@pytest.mark.parametrize("chunk", [1, 5, 1 << 16])
@pytest.mark.parametrize("fmt", ["auto", "jsonl"])
def test_json_lines_with_bom_crlf_blank_lines_and_arrays_as_lines(fmt, chunk, normalizer):
    not_an_object = b'[7, "not", "an", "object"]'
    data = BOM + A + b"\r\n\r\n   \n" + not_an_object + b"\r\n" + BOM + B + b"\n" + C
    result = envelopes(data, normalizer, fmt, chunk)
    assert accepted(result) == [1, 2, 3]
    assert rejected(result) == [not_an_object.decode()]
    assert "array" in next(p.envelope.rejection for p in result if p.envelope.rejection)


def test_first_line_an_array_that_is_not_of_events_is_one_json_line(normalizer):
    data = b'[0, "not", "an", "object"]\n' + A + b"\n"
    result = envelopes(data, normalizer)
    assert accepted(result) == [1] and len(result) == 2


def test_forced_jsonl_takes_an_array_line_as_one_event(normalizer):
    result = envelopes(b"[" + A + b"," + B + b"]\n" + C + b"\n", normalizer, "jsonl")
    assert accepted(result) == [3] and len(result) == 2


def test_forced_array_rejects_text_outside_any_array(normalizer):
    result = envelopes(b"[" + A + b"]\n" + B + b"\n", normalizer, "array")
    assert accepted(result) == [1]
    assert rejected(result) == [B.decode()]
    assert "outside" in result[1].envelope.rejection


def test_nesting_over_200_levels_is_rejected_in_an_array_and_in_lines(normalizer):
    deep = b'{"source": "a", "payload": ' + b'{"x": ' * 250 + b"1" + b"}" * 250 + b"}"
    shallow = b'{"source": "a", "payload": ' + b'{"x": ' * 50 + b"1" + b"}" * 50 + b"}"
    for data in (b"[" + deep + b"," + shallow + b"," + b"[" * 300 + b"]" * 300 + b"]", deep + b"\n" + shallow):
        result = envelopes(data, normalizer)
        assert [p.envelope.rejection is None for p in result][:2] == [False, True]
        assert "nested" in result[0].envelope.rejection


def test_an_unclosed_element_does_not_swallow_the_input_without_bound(normalizer):
    from eventdesk.core.intake import MAX_EVENT_BYTES
    size = MAX_EVENT_BYTES + 100_000
    data = b'[{"source": "a", "payload": {' + b'{"x":1},' * (size // 8) + b"]"
    items = list(read_inputs(io.BytesIO(data), chunk_size=1 << 16))
    assert len(items) >= 2
    assert sum(len(bytes(getattr(i, "text", i))) for i in items) >= len(data) - 4
    assert all(len(bytes(getattr(i, "text", i))) <= MAX_EVENT_BYTES + (1 << 16) for i in items)


def fake_apply(rows):
    return BatchOutcome.of_results([SubmitResult(Outcome.REJECTED if row[STATUS] == "rejected" else Outcome.ACCEPTED,
                                                 raw_id=1) for row in rows])


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_lines_count_equals_the_inputs_accounted_for(batch_size, normalizer):
    data = BOM + b"[" + A + b"}, [1], " + B + b"]]\n[" + C + b"]\njunk\n" + A + b"\n[" + B[:10]

    def prepare(batches):
        for batch in batches:
            yield rows_of(normalizer, batch)

    summary = ingest_stream(io.BytesIO(data), prepare, fake_apply, IngestSummary(), batch_size)
    assert summary.lines == 8
    assert (summary.accepted, summary.rejected) == (3, 5)


def test_read_events_gives_bytes_only_for_callers_without_positions():
    data = b"[" + A + b", nonsense]]\n" + B + b"\n"
    assert list(read_events(io.BytesIO(data), "array", chunk_size=3)) == [A, b"nonsense", b"]", B]


@pytest.mark.parametrize("fmt", ["auto", "jsonl", "array"])
def test_lines_longer_than_the_line_limit(fmt, monkeypatch, normalizer):
    from eventdesk.core import input_reader
    monkeypatch.setattr(input_reader, "LINE_LIMIT", 40)  # lines are read at most 40 bytes at a time
    long_line = event(9)[:-1] + b', "pad": "' + b"x" * 100 + b'"}'
    one_line_array = b"[" + b",".join([A, B, C]) + b"]\n"
    result = envelopes(one_line_array + long_line + b"\n" + b"  " + long_line + b"\n", normalizer, fmt, 16)
    if fmt == "jsonl":
        assert len(result) == 3 and accepted(result) == [9, 9]  # the array line is one rejected event
    elif fmt == "auto":
        assert accepted(result) == [1, 2, 3, 9, 9]
    else:
        assert accepted(result) == [1, 2, 3] and rejected(result) == [long_line.decode()] * 2


@pytest.mark.parametrize("separator", [b",", b",\n  "])
def test_memory_stays_flat_for_a_big_array_on_one_line_or_many(separator):
    import tracemalloc
    data = b"[" + separator.join([A] * 30_000) + b"]"  # about 3 MB
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_inputs(io.BytesIO(data)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 30_000
    assert peak < 1 << 20, peak  # the input itself is held by the test, not counted
