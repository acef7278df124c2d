"""The compiled path makes exactly the rows of the exact path (``rows.rows_of``), or steps aside."""
from __future__ import annotations

import io
import json
from datetime import datetime, time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventdesk.core.compiled import FastPreparer
from eventdesk.core.input_reader import Piece, read_inputs
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.rows import rows_of

MAPPINGS = Mappings({
    "defaults": {"fields": {"metric": ["metric", "name"], "amount": ["amount", "price.net", "wert"],
                            "timestamp": ["timestamp", "meta.when", "zeit"]}},
    "clients": {
        "berlin": {"dayfirst": True, "decimal_comma": True, "timezone": "Europe/Berlin"},
        "newyork": {"timezone": "America/New_York", "fields": {"amount": ["data.value", "amount"]}},
        "daily": {"dayfirst": True, "fields": {"metric": ["kind", "métrique"], "amount": ["betrag€", "a.b.c"],
                                               "timestamp": ["when", "zeit"]}},
    },
})
SOURCES = ["berlin", "newyork", "daily", "other", " berlin ", "\tdaily", "", "  ", "client_😀", "naïve"]
METRIC_KEYS = ["metric", "name", "kind", "métrique"]
AMOUNT_KEYS = ["amount", "price", "wert", "data", "betrag€", "a.b.c", "a", "price.net"]
TIME_KEYS = ["timestamp", "meta", "zeit", "when", "meta.when"]


def assert_same_rows(items, mappings=MAPPINGS) -> FastPreparer:
    preparer = FastPreparer(mappings)
    expected = rows_of(Normalizer(mappings), items)
    assert preparer.rows(items) == expected
    assert preparer.rows(items) == expected  # again, now from every cache
    return preparer


# -- (1) generated files

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rows_equal_the_exact_rows_on_generated_files(generate, seed):
    events, _, mappings_path = generate(20_000, seed)
    items = list(read_inputs(io.BytesIO(events.read_bytes()), "auto"))
    preparer = assert_same_rows(items, Mappings.from_json(mappings_path.read_text()))
    assert preparer.fallbacks < 0.05 * 2 * len(items)  # the broken lines (2%), twice: the fast path is taken


def test_a_wrong_fast_answer_is_seen(generate):
    """Negative control: the comparison notices a single wrong field."""
    events, _, mappings_path = generate(20_000, 1)
    items = list(read_inputs(io.BytesIO(events.read_bytes()), "auto"))[:50]
    mappings = Mappings.from_json(mappings_path.read_text())
    rows = FastPreparer(mappings).rows(items)
    rows[7] = rows[7][:11] + (rows[7][11] + 1,) + rows[7][12:]
    assert rows != rows_of(Normalizer(mappings), items)


# -- (2) odd payloads

RAW_NUMBERS = ["0", "-0", "0.0", "-0.0", "1200", "1200.0", "1200.50", "1e3", "1E2", "1e-7", "1e400", "-1e400",
               "1e-400", "4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "123456789012345678",
               "12345678901234567890123456789", "9007199254740993", "0.1", "0.00001", "0.000001234", "1e16",
               "1e15", "99999999999999.99", "0.12345678901234567", "1710358620", "1710358620000",
               "1710358620000000", "1710358620.5", "-5", "17e10", "1.5e+2", "true", "false", "null", "[]", "{}",
               '"x"', "[1, 2.0]", '{"value": 1.5}', '{"value": "12,50"}', '{"when": "2024-01-05"}']
AMOUNT_TEXTS = ["1200", "1200.50", "1,200.50", "1.200,50", "1.200,50 EUR", "$1,200.50", "-$5", "$-5", "€12",
                "12 €", "(12.50)", "−5", "5-", "1e3", "1.5E-3", "1e400", "0.000", "-0", "-0.0", "007", "12.", ".5",
                "1 200,5", "1'200.5", "USD 12", "12USD", "12 usd", "  12  ", "", " ", "NaN", "Infinity", "1,2,3",
                "1.234.567,89", "1,234,567.89", "9" * 25, "9" * 26, "0." + "0" * 17 + "1", "0." + "0" * 18 + "1",
                "1" * 24 + ".5", "0,5", "12,5", "1.5", "12.345", "12,345", "١٢", "１２", "12\u00a0345,6"]
TIME_TEXTS = ["2024-01-05T10:00:00Z", "2024-01-05T10:00:00", "2024-01-05 10:00", "2024-01-05t10:00:00z",
              "2024-01-05T10:00:00.123456789Z", "2024-01-05T10:00:00,5Z", "2024-01-05T10:00:00+02:00",
              "2024-01-05T10:00:00-0530", "2024-01-05T10:00:00+24:00", "2024-01-05T10:00:00+23:59",
              "2024-01-05T10:00:00+01:60", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00",
              "0000-01-01T00:00:00Z", "2024-01-05", "2024-02-30", "2024-02-29", "2023-02-29", "2024-13-01",
              "2024-01-05T24:00:00Z", "2024-01-05T23:60:00Z", "2024-01-05T23:59:60Z", "2024/01/05", "2024/1/5",
              "2024.01.05", "2024-1-5", "05.01.2024 10:00", "05.01.2024", "5.1.2024 9:05", "13.01.2024 10:00",
              "01.13.2024 10:00", "05/01/2024", "05/01/24", "05-01-69", "05-01-68", "05.01.2024 10:00:30",
              "05.01.2024T10:00", "05.01.2024 24:00", "05.01.2024, 10:00", "005.01.2024", "05.01.202",
              "Jan 5, 2024 10:00 AM", "Jun 17, 2024 2:41 AM", "Dec 31, 2024 12:00 PM", "Dec 31, 2024 12:30 AM",
              "Jan 5, 2024 13:00 PM", "Jan 5, 2024 0:30 AM", "Jan 5, 2024", "Sept 5, 2024 1:00 PM",
              "Foo 5, 2024 1:00 PM", "jan 5, 2024 1:00 pm", "5 January 2024", "05-Jan-2024",
              "Fri, 05 Jan 2024 10:00:00 GMT", "Thu, 05 Jan 2024 10:00:00 GMT", "Jan 5, 24 10:00 AM",
              "January 2024", "2024-03", "1710358620", "1710358620000", " 2024-01-05T10:00:00Z ",
              "2024-01-05T10:00:00 CET", "2024-W01-5", "2024-005", "20240105T100000Z", "240105T100000Z",
              "tomorrow", "", "  ", "10:00",
              # DST edges: Berlin springs forward 2024-03-31 02:00, falls back 2024-10-27 03:00;
              # New York springs forward 2024-03-10 02:00, falls back 2024-11-03 02:00
              "2024-03-31T01:59:59", "2024-03-31T02:00:00", "2024-03-31T02:30:00", "2024-03-31T03:00:00",
              "2024-10-27T01:59:59", "2024-10-27T02:00:00", "2024-10-27T02:30:00", "2024-10-27T02:59:59.999999",
              "2024-10-27T03:00:00", "31.03.2024 02:30", "27.10.2024 02:30", "27.10.2024 03:00",
              "2024-03-10T02:30:00", "2024-03-10T01:59:00", "2024-03-10T03:00:00", "2024-11-03T01:30:00",
              "2024-11-03T00:59:59", "2024-11-03T02:00:00", "03/10/2024 02:30", "11/03/2024 01:30",
              "Mar 10, 2024 2:30 AM", "Nov 3, 2024 1:30 AM", "Oct 27, 2024 2:30 AM", "Mar 31, 2024 2:30 AM",
              "1893-04-01T00:00:00", "1893-03-31T23:59:00", "1916-04-30T23:30:00", "1883-11-18T12:00:00"]
METRIC_TEXTS = ["sales", " Sales ", "SALES", "page  views", "", "   ", "x" * 201, "a\u00a0b", "Ünïcödé", "😀",
                'quote"d', "back\\slash", "ctrl\u0001", "İstanbul"]

# well-formed values in every layout the compiled path reads itself, around DST changes too
EDGE_DAYS = [(2024, 3, 31), (2024, 10, 27), (2024, 3, 10), (2024, 11, 3), (2023, 3, 26), (1970, 1, 1), (2000, 2, 29)]
moments = (st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
           | st.builds(lambda day, clock: datetime(*day, clock.hour, clock.minute, clock.second, clock.microsecond),
                       st.sampled_from(EDGE_DAYS), st.times(time(1), time(2, 59, 59, 999999)) | st.times()))
LAYOUTS = [lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"), lambda d: d.isoformat(), lambda d: d.strftime("%Y-%m-%d %H:%M"),
           lambda d: d.strftime("%Y-%m-%dT%H:%M:%S+05:30"), lambda d: d.strftime("%Y-%m-%dT%H:%M:%S-08:00"),
           lambda d: d.strftime("%Y-%m-%d"), lambda d: d.strftime("%Y/%m/%d"), lambda d: f"{d.year:04d}/{d.month}/{d.day}",
           lambda d: d.strftime("%d.%m.%Y %H:%M"), lambda d: d.strftime("%m/%d/%Y %H:%M:%S"),
           lambda d: f"{d.day}.{d.month}.{d.year % 100:02d} {d.hour}:{d.minute:02d}", lambda d: d.strftime("%d-%m-%Y"),
           lambda d: d.strftime("%b %d, %Y %I:%M %p").replace(" 0", " "), lambda d: d.strftime("%B %d, %Y"),
           lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")]
time_value = st.builds(lambda d, layout: json.dumps(LAYOUTS[layout](d)), moments, st.integers(0, len(LAYOUTS) - 1)) | (
    st.integers(-(10**17), 10**17).map(str))
amount_value = st.builds(
    lambda number, form: json.dumps([str(number), f"{number:,}", f"{number:,}".replace(",", "X").replace(".", ",")
                                     .replace("X", "."), f"${number:,}", f"{number:,} EUR", f"-{number}",
                                     str(number).replace(".", ",")][form]),
    st.decimals(min_value=0, max_value=10**12, places=2) | st.decimals(min_value=0, max_value=10**6, places=6)
    | st.sampled_from([Decimal("0"), Decimal("0.00"), Decimal("-0"), Decimal("0.0001"), Decimal("922337203685.4775"),
                       Decimal("922337203685.4776"), Decimal("-922337203685.4775")]),
    st.integers(0, 6)) | st.integers(-(10**20), 10**20).map(str) | st.floats(-1e17, 1e17).map(repr)
key = st.text(max_size=6) | st.sampled_from(METRIC_KEYS + AMOUNT_KEYS + TIME_KEYS)
json_text = st.text(max_size=6).map(lambda s: json.dumps(s, ensure_ascii=False))
raw = (st.sampled_from(RAW_NUMBERS) | json_text
       | st.sampled_from(AMOUNT_TEXTS + TIME_TEXTS + METRIC_TEXTS).map(lambda s: json.dumps(s, ensure_ascii=False))
       | st.integers(-(2**70), 2**70).map(str)
       | st.floats(allow_nan=False, allow_infinity=False).map(repr)
       | st.integers(-(10**18), 10**18).map(str))


def _member(name: str, value: str, ascii_only: bool) -> str:
    return json.dumps(name, ensure_ascii=ascii_only) + ": " + value


# the keys each client of MAPPINGS looks for first, in its own order
FIRST_KEYS = {"daily": (["kind"], ["betrag€"], ["when"]), "newyork": (["metric"], ["data", "amount"], ["timestamp"])}


@st.composite
def payload_text(draw, source: str = "") -> str:
    """A payload's JSON text: mapped fields written in many ways, nested ones, unknown ones."""
    members = []
    ascii_only = draw(st.booleans())
    wellformed = (st.sampled_from(METRIC_TEXTS[:4]).map(json.dumps), amount_value, time_value)
    firsts = FIRST_KEYS.get(source.strip(), (["metric"], ["amount"], ["timestamp"]))
    for (keys, texts), usual, first in zip(((METRIC_KEYS, METRIC_TEXTS), (AMOUNT_KEYS, AMOUNT_TEXTS),
                                            (TIME_KEYS, TIME_TEXTS)), wellformed, firsts):
        for name in draw(st.lists(st.sampled_from(first * 4 + keys), min_size=draw(st.sampled_from([1] * 6 + [0])),
                                  max_size=2)):
            odd = st.sampled_from(texts).map(lambda s: json.dumps(s, ensure_ascii=ascii_only)) | raw
            value = draw(st.sampled_from([usual] * 5 + [odd]).flatmap(lambda strategy: strategy))
            if name in ("price", "meta", "data", "a") and draw(st.booleans()):
                inner = {"price": "net", "meta": "when", "data": "value", "a": "b"}[name]
                value = "{" + _member(inner, value, ascii_only) + "}"
                if name == "a":
                    value = '{"b": {"c": ' + draw(raw) + "}}"
            members.append(_member(name, value, ascii_only))
    for name, value in draw(st.lists(st.tuples(key, raw), max_size=3)):
        members.append(_member(name, value, ascii_only))
    order = draw(st.permutations(members))
    return "{" + ", ".join(order) + "}"


@st.composite
def line(draw) -> bytes:
    source = draw(st.sampled_from([st.sampled_from(SOURCES[:4])] * 4 + [st.sampled_from(SOURCES), st.text(max_size=4)])
                  .flatmap(lambda strategy: strategy))
    payload = draw(st.sampled_from([payload_text(source)] * 8 + [st.sampled_from(['[]', '"text"', 'null', '5', '{}'])])
                   .flatmap(lambda strategy: strategy))
    shape = draw(st.sampled_from(["event"] * 12 + ["source first", "no source", "number source",
                                  "extra", "truncated", "array"]))
    if shape == "no source":
        text = '{"payload": ' + payload + "}"
    elif shape == "number source":
        text = '{"source": 5, "payload": ' + payload + "}"
    elif shape == "extra":
        text = '{"payload": ' + payload + ', "simulateFailure": true, "source": ' + json.dumps(source) + "}"
    elif shape == "array":
        text = "[" + payload + "]"
    else:
        text = '{"source": ' + json.dumps(source, ensure_ascii=draw(st.booleans())) + ', "payload": ' + payload + "}"
        if shape == "truncated":
            text = text[:-1]
    data = text.encode("utf-8", "surrogatepass")
    damage = draw(st.sampled_from(["none"] * 20 + ["bom", "invalid utf-8", "lone surrogate", "blank"]))
    if damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "invalid utf-8":
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"])) + data[cut:]
    elif damage == "lone surrogate":
        data = data.replace(b'": ', b'": "\\ud800" , "z": ', 1)
    elif damage == "blank":
        data = b"  " + data + b" \r"
    return data


@given(batch=st.lists(line(), min_size=1, max_size=6))
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_rows_equal_the_exact_rows_on_odd_payloads(batch):
    assert_same_rows(batch + batch[:2])


@st.composite
def wellformed_line(draw) -> bytes:
    """An event of a mapped client with each field where the client looks first, in a common layout."""
    source = draw(st.sampled_from(SOURCES[:4]))
    metric_key, amount_key, time_key = (keys[0] for keys in FIRST_KEYS.get(source, (["metric"], ["amount"],
                                                                                     ["timestamp"])))
    amount = draw(amount_value)
    members = [_member(metric_key, draw(st.sampled_from(METRIC_TEXTS[:4]).map(json.dumps)), False),
               _member(amount_key, '{"value": ' + amount + "}" if amount_key == "data" else amount, False),
               _member(time_key, draw(time_value), False)]
    members += [_member(name, value, False) for name, value in draw(st.lists(st.tuples(key, raw), max_size=2))]
    payload = "{" + ", ".join(draw(st.permutations(members))) + "}"
    return ('{"source": ' + json.dumps(source) + ', "payload": ' + payload + "}").encode()


@given(batch=st.lists(wellformed_line() | line(), min_size=1, max_size=8))
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_rows_equal_the_exact_rows_on_wellformed_events(batch):
    assert_same_rows(batch)


def test_the_wellformed_events_mostly_take_the_compiled_path():
    """The property above means something only if many of its inputs are not handed to the exact path."""
    seen = []

    @given(item=wellformed_line())
    @settings(max_examples=300, deadline=None, database=None)
    def draw(item):
        seen.append(item)

    draw()
    preparer = FastPreparer(MAPPINGS)
    preparer.rows(seen)
    assert preparer.fallbacks < 0.7 * len(seen)  # about half take it


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
                                  "Etc/UTC", "UTC"])
@pytest.mark.parametrize("dayfirst", [False, True])
def test_every_time_text_reads_as_the_exact_path_reads_it(zone, dayfirst):
    mappings = Mappings({"defaults": {"timezone": zone, "dayfirst": dayfirst}})
    extra = [f"2024-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:00" for m in (3, 4, 10, 11) for d in (1, 3, 6, 7, 10, 27, 31)
             for h in (0, 1, 2, 3) for mi in (0, 30, 59) if not (m in (4, 11) and d == 31)]
    items = [json.dumps({"source": "c", "payload": {"metric": "m", "amount": 1, "timestamp": text}}).encode()
             for text in TIME_TEXTS + extra]
    assert_same_rows(items, mappings)


@pytest.mark.parametrize("decimal_comma", [False, True])
def test_every_amount_reads_as_the_exact_path_reads_it(decimal_comma):
    mappings = Mappings({"defaults": {"decimal_comma": decimal_comma}})
    texts = [json.dumps(t, ensure_ascii=False) for t in AMOUNT_TEXTS] + RAW_NUMBERS
    items = [('{"source": "c", "payload": {"metric": "m", "timestamp": 0, "amount": ' + t + "}}").encode()
             for t in texts]
    assert_same_rows(items, mappings)


# -- (3) pieces of JSON arrays

@given(batch=st.lists(line(), min_size=1, max_size=5), offset=st.integers(0, 10**6),
       problem=st.sampled_from([None, None, "text outside a JSON array", "text after a JSON array"]))
@settings(max_examples=200, deadline=None)
def test_pieces_give_the_exact_rows(batch, offset, problem):
    assert_same_rows([Piece(data, offset + i, problem if i % 2 else None) for i, data in enumerate(batch)])


def test_pieces_read_from_arrays_give_the_exact_rows(generate):
    events, _, mappings_path = generate(20_000, 1)
    lines = events.read_bytes().splitlines()[:3000]
    whole = [line for line in lines if line.count(b"{") == line.count(b"}")]  # a cut line would end the array
    stream = (b"[" + b",\n".join(whole[:1600]) + b"]\n] stray\n" + b"\n".join(lines[1500:])
              + b"\n[" + b",".join(lines[:40]))
    items = list(read_inputs(io.BytesIO(stream), "auto"))
    assert sum(isinstance(i, Piece) for i in items) > 1500
    assert_same_rows(items, Mappings.from_json(mappings_path.read_text()))


def test_a_worker_builds_it_from_the_mappings_text_alone(generate):
    """As the worker initializer will: ``FastPreparer(Mappings.from_json(text)).rows(batch)``."""
    events, _, mappings_path = generate(20_000, 2)
    batch = events.read_bytes().splitlines()[:500]
    text = Mappings.from_json(mappings_path.read_text()).to_json()
    assert FastPreparer(Mappings.from_json(text)).rows(batch) == rows_of(
        Normalizer(Mappings.from_json(mappings_path.read_text())), batch)
