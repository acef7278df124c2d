"""`eventdesk export` gives back what was received: payload text exactly, every line valid JSON."""
from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import sys
from decimal import Decimal

import pytest

EVENT = '{"source":"c","payload":%s}'
# payloads as received; each must come back with the same literal numbers, keys and strings
PAYLOADS = [
    '{"metric":"m","amount":12345678901234567.5,"timestamp":"2024-01-01"}',
    '{"metric":"m","amount":1234567890123456789012345,"big":123456789012345678901234567890,"timestamp":"2024-01-02"}',
    '{"metric":"m","amount":0.100000000000000005,"long":0.1000000000000000055511151231257827,"timestamp":"2024-01-03"}',
    '{"metric":"m","amount":-0,"x":-0.0,"timestamp":"2024-01-04"}',
    '{"metric":"m","amount":1e400,"tiny":1e-400,"timestamp":"2024-01-05"}',
    '{"metric":"m","amount":1,"amount":2,"timestamp":"2024-01-06"}',
    '{"metric":"caf\\u00e9 \u00e9\u20ac\U0001F600","amount":1.50,"timestamp":"2024-01-07"}',
    '{"metric":"tab\\there\\u0001\\u001f\\n","amount":"1.0","timestamp":"2024-01-08"}',
    '{ "metric" : "spaced" ,\t"amount" : 2.50E+3 , "nested" : {"a" : [1 , 2.0 , {"b" : 1E-7}]} }',
    '{"metric":"m","amount":1.0,"line\\u2028sep":"\u2028\u2029","timestamp":"2024-01-09"}',
]
# not events: kept and exported as the text as received
REJECTED_TEXT = [
    '{"source":"c","payload":{"metric":"\\ud800"}}',          # lone surrogate, escaped
    '{"source":"c","payload":{"metric":"a\x01b"}}',            # raw control character
    '{"source":"c","payload":{"amount":NaN}}',
    'not json at all \\xff "quoted"',
]
INVALID_UTF8 = [b'{"source":"c","payload":{"metric":"\xff\xfe sales"}}', b'\\xff literal then \xc0\xaf']


def eventdesk(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], input=stdin, capture_output=True, check=False)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def strict(text: str):
    """A strict reader: NaN/Infinity refused; numbers kept as their literal text; key order and
    duplicate keys kept."""
    return json.loads(text, parse_constant=_reject_constant, parse_float=lambda s: ("num", s),
                      parse_int=lambda s: ("num", s), object_pairs_hook=list)


def payload_of(line: str):
    pairs = strict(line)
    payloads = [v for k, v in pairs if k == "payload"]
    assert len(payloads) == 1
    return payloads[-1]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fidelity")
    lines = [(EVENT % p).encode() for p in PAYLOADS] + [t.encode() for t in REJECTED_TEXT] + INVALID_UTF8
    source = folder / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    path = str(folder / "s.db")
    result = eventdesk("ingest", str(source), "--json", "--store", path)
    assert result.returncode == 0, result.stderr
    return path


def _raw_lines(store: str, *extra: str) -> list[str]:
    result = eventdesk("export", "raw", "--store", store, *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode("utf-8").split("\n")[:-1]


def test_every_raw_line_is_strict_json_and_payloads_are_as_received(store):
    lines = _raw_lines(store)
    assert len(lines) == len(PAYLOADS) + len(REJECTED_TEXT) + len(INVALID_UTF8)
    for line, sent in zip(lines, PAYLOADS):
        assert payload_of(line) == strict(sent), line
    assert "Infinity" not in "".join(lines) and "e+16" not in "".join(lines)


def test_the_payload_text_itself_is_kept(store):
    lines = _raw_lines(store)
    assert '"payload": {"metric":"m","amount":12345678901234567.5,' in lines[0]
    assert '"amount":-0,"x":-0.0,' in lines[3]
    assert '"amount":1e400,"tiny":1e-400' in lines[4]
    assert '"amount":1,"amount":2' in lines[5]


def test_rejected_text_is_exported_as_received(store):
    lines = _raw_lines(store, "--status", "rejected")
    rows = [json.loads(line, parse_constant=_reject_constant) for line in lines]
    texts = [r["payload"] for r in rows]
    assert texts[:len(REJECTED_TEXT)] == REJECTED_TEXT


def test_invalid_utf8_is_exported_as_base64_of_the_bytes(store):
    rows = [json.loads(line) for line in _raw_lines(store, "--status", "rejected")][len(REJECTED_TEXT):]
    assert [r["error"].startswith("not valid UTF-8") for r in rows] == [True, True]
    assert [base64.b64decode(r["payload"].removeprefix("base64:"), validate=True) for r in rows] == INVALID_UTF8
    assert all(r["payload"].startswith("base64:") for r in rows)


def test_raw_csv_keeps_payload_text_and_quotes_it(store):
    result = eventdesk("export", "raw", "--format", "csv", "--store", store)
    assert result.returncode == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8"), newline="")))
    assert [r["payload"] for r in rows[:len(PAYLOADS)]] == PAYLOADS
    assert [r["payload"] for r in rows[len(PAYLOADS):len(PAYLOADS) + len(REJECTED_TEXT)]] == REJECTED_TEXT
    tail = [base64.b64decode(r["payload"].removeprefix("base64:")) for r in rows[-len(INVALID_UTF8):]]
    assert tail == INVALID_UTF8


def test_normalized_amounts_are_exact_decimal_strings(store):
    result = eventdesk("export", "normalized", "--store", store)
    rows = [json.loads(line, parse_constant=_reject_constant) for line in result.stdout.decode().splitlines()]
    amounts = {(r["timestamp"] or "-")[:10]: r["amount"] for r in rows}
    assert amounts["2024-01-01"] == "12345678901234567.5"
    assert amounts["2024-01-02"] == "1234567890123456789012345"
    assert amounts["2024-01-03"] == "0.100000000000000005"
    assert amounts["-"] == "2500"
    assert all(a is None or (isinstance(a, str) and "e" not in a.lower() and Decimal(a).is_finite())
               for a in amounts.values())
    csv_rows = list(csv.DictReader(io.StringIO(eventdesk("export", "normalized", "--format", "csv", "--store",
                                                         store).stdout.decode(), newline="")))
    assert {r["timestamp"][:10]: r["amount"] for r in csv_rows if r["timestamp"]}["2024-01-01"] == "12345678901234567.5"


def test_pretty_printed_input_gives_one_line_per_event_and_csv_keeps_the_text(tmp_path):
    payload = '{\n    "metric": "m",\r\n    "amount": 1.10,\n    "timestamp": "2024-02-01"\n  }'
    array = tmp_path / "a.json"
    array.write_text('[\n  {"source": "p",\n   "payload": ' + payload + '\n  }\n]\n', newline="")
    store = str(tmp_path / "s.db")
    assert eventdesk("ingest", str(array), "--store", store).returncode == 0
    lines = _raw_lines(store)
    assert len(lines) == 1 and payload_of(lines[0]) == strict(payload)
    rows = list(csv.DictReader(io.StringIO(eventdesk("export", "raw", "--format", "csv", "--store", store)
                                           .stdout.decode("utf-8"), newline="")))
    assert strict(rows[0]["payload"]) == strict(payload)
