"""Reason codes (design 12): every code the code can produce is in docs/reasons.md and vice versa,
and each problem the normalizer and intake report carries the right one."""
from __future__ import annotations

import ast
import io
import json
import pickle
import re
from pathlib import Path

import pytest

from eventdesk.app import shipped_mappings
from eventdesk.core import reasons
from eventdesk.core.errors import (
    ReplyLost,
    SimulatedFailure,
    StoreBug,
    StoreConflict,
    StoreFull,
    StoreUnavailable,
)
from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.input_reader import envelope_of, read_inputs
from eventdesk.core.model import Reason
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.reasons import CODES, Problem, failure_reason, rejection_reason

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "reasons.md"
NORMALIZER = Normalizer(shipped_mappings())


def documented_codes() -> set[str]:
    return set(re.findall(r"^\| `([a-z0-9_]+\.[a-z0-9_]+)` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE))


def test_the_catalogue_and_the_code_list_are_the_same():
    assert documented_codes() == CODES
    assert len(CODES) >= 40


def _code_arguments() -> list[tuple[str, ast.expr]]:
    found = []
    for path in (ROOT / "eventdesk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Problem", "Reason") \
                    and node.args:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.args[0]))
    return found


def test_every_code_the_code_can_produce_is_a_catalogued_constant():
    arguments = _code_arguments()
    assert len(arguments) > 40
    for where, arg in arguments:
        if isinstance(arg, ast.Name) and arg.id.isupper():
            assert getattr(reasons, arg.id) in CODES, where
        elif isinstance(arg, ast.Constant):
            assert arg.value in CODES, where
        elif isinstance(arg, ast.Call) and ast.unparse(arg.func) == "code_of":  # the problem's, or a default
            assert getattr(reasons, arg.args[1].id) in CODES, where  # type: ignore[attr-defined]
        else:  # a code carried along: problem.code, or a variable chosen among constants
            assert ast.unparse(arg) in ("code", "problem.code", "i['code']"), where


def canonical_reasons(client: str, payload: dict) -> list[Reason]:
    prepared = NORMALIZER.prepare(read_envelope_fast(json.dumps({"source": client, "payload": payload})))
    assert prepared.canonical is not None
    return list(prepared.canonical.reasons)


FIELD_CASES = [
    ({"metric": 7}, "metric.not_text"), ({"metric": " "}, "metric.empty"), ({"metric": "x " * 150}, "metric.too_long"),
    ({"amount": True}, "amount.not_number"), ({"amount": {"a": 1}}, "amount.not_number"),
    ({"amount": ""}, "amount.empty"), ({"amount": "1" * 101}, "amount.too_long"),
    ({"amount": "abc"}, "amount.unparseable"), ({"amount": "$5 USD"}, "amount.unparseable"),
    ({"amount": "--5"}, "amount.unparseable"), ({"amount": 1e30}, "amount.out_of_range"),
    ({"amount": "1e-30"}, "amount.out_of_range"),
    ({"timestamp": True}, "timestamp.not_time"), ({"timestamp": [1]}, "timestamp.not_time"),
    ({"timestamp": " "}, "timestamp.empty"), ({"timestamp": "2" * 101}, "timestamp.too_long"),
    ({"timestamp": "yesterday"}, "timestamp.unparseable"), ({"timestamp": "2024-03"}, "timestamp.no_day"),
    ({"timestamp": "March 2024"}, "timestamp.no_day"), ({"timestamp": "2024-02-30"}, "timestamp.impossible"),
    ({"timestamp": "Mon, 05 Jan 2024"}, "timestamp.impossible"), ({"timestamp": 1e20}, "timestamp.out_of_range"),
    ({"timestamp": "2024-01-05 10:00 PST"}, "timestamp.zone_abbreviation"),
    ({"timestamp": "Jan 5 2024 10:00 CEST"}, "timestamp.zone_abbreviation"),
    ({"timestamp": "2024-01-05 10:00 GMT+1"}, "timestamp.offset_after_name"),
]


@pytest.mark.parametrize("payload, code", FIELD_CASES)
def test_each_field_problem_has_its_code_field_and_key(payload, code):
    complete = {"metric": "sales", "amount": 1, "timestamp": "2024-01-01", **payload}
    (key,) = payload
    assert canonical_reasons("client_B", complete) == [Reason(code, code.split(".")[0], key)]


def test_missing_fields_and_the_clients_own_keys():
    assert canonical_reasons("client_B", {}) == [Reason("metric.missing", "metric"), Reason("amount.missing", "amount"),
                                                  Reason("timestamp.missing", "timestamp")]
    assert canonical_reasons("client_D", {"event": "x", "betrag": "1,5", "zeit": "31.03.2024 02:30"}) == [
        Reason("timestamp.nonexistent", "timestamp", "zeit")]
    assert canonical_reasons("client_D", {"event": "x", "betrag": 1, "zeit": "27.10.2024 02:30"}) == [
        Reason("timestamp.ambiguous", "timestamp", "zeit")]
    assert canonical_reasons("client_E", {"kind": "x", "data": {"value": "x"}, "created_at": 0}) == [
        Reason("amount.unparseable", "amount", "data.value")]
    # the second candidate matched: its key is the one named
    assert canonical_reasons("client_A", {"metric": "m", "amount": "x", "timestamp": "2024-01-01"}) == [
        Reason("amount.unparseable", "amount", "amount")]


def test_reasons_and_warnings_go_together_and_warnings_stay_plain_text():
    prepared = NORMALIZER.prepare(read_envelope_fast(json.dumps({"source": "c", "payload": {"amount": "x"}})))
    canonical = prepared.canonical
    assert len(canonical.warnings) == len(canonical.reasons) == 3
    assert all(type(w) is str for w in canonical.warnings)


REJECTIONS = [
    (b"{oops", "json.invalid"), (b"\xff", "input.not_utf8"), (b"[1]", "input.not_object"), (b"null", "input.not_object"),
    (b'{"payload": {}}', "source.missing"), (b'{"source": [], "payload": {}}', "source.not_text"),
    (b'{"source": "", "payload": {}}', "source.empty"), (b'{"source": "c", "payload": null}', "payload.missing"),
    (b'{"source": "c", "payload": "x"}', "payload.not_object"),
    (b'{"source": "c", "payload": ' + b'{"a":' * 300 + b'1' + b'}' * 300 + b'}', "json.too_deep"),
    (b'{"source": "c", "payload": {"a": ' + b'[' * 300 + b']' * 300 + b'}}', "json.too_deep"),
    (b'{"source": "c", "payload": {"a": "\\udc00"}}', "input.lone_surrogate"),
]


@pytest.mark.parametrize("text, code", REJECTIONS)
def test_each_rejection_has_its_code(text, code):
    envelope = read_envelope_fast(text)
    assert envelope.rejection is not None and rejection_reason(envelope).code == code
    assert pickle.loads(pickle.dumps(envelope)).rejection.code == code  # worker processes keep it


def test_file_pieces_keep_their_codes_with_the_byte_position():
    items = list(read_inputs(io.BytesIO(b'[{"source": "c", "payload": 5}] trailing\n{oops\n'), "auto"))
    codes = [rejection_reason(envelope_of(i) if not isinstance(i, bytes) else read_envelope_fast(i)).code
             for i in items]
    assert codes == ["payload.not_object", "input.not_an_event", "json.invalid"]


def test_failures_have_their_codes():
    assert failure_reason(SimulatedFailure("x")) == Reason("simulated.mid_transaction")
    assert failure_reason(ReplyLost("x")) == Reason("simulated.after_commit")
    assert failure_reason(StoreUnavailable("x")) == failure_reason(StoreConflict("x")) == Reason("store.unavailable")
    assert failure_reason(StoreFull("x")) == Reason("store.full")
    assert failure_reason(StoreBug("x")) == Reason("store.error")


def test_a_problem_is_its_text():
    problem = Problem("amount.empty", "amount is empty text")
    assert problem == "amount is empty text" and json.dumps([problem]) == '["amount is empty text"]'
    assert pickle.loads(pickle.dumps(problem)).code == "amount.empty"


@pytest.mark.parametrize("module", ["amounts.py", "timestamps.py", "intake.py", "normalizer.py"])
def test_no_problem_is_returned_as_plain_text(module):
    """A plain text would fall back to the field's default code: every problem names its own."""
    tree = ast.parse((ROOT / "eventdesk" / "core" / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            for element in node.value.elts:
                assert not isinstance(element, ast.JoinedStr) and not (
                    isinstance(element, ast.Constant) and isinstance(element.value, str)), f"{module}:{node.lineno}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_reject":
            assert not isinstance(node.args[1], (ast.JoinedStr, ast.Constant)), f"{module}:{node.lineno}"
