"""Reading one input as received into an ``Envelope`` (design sections 3 and 4).

Structurally invalid input is not an error here: it becomes an envelope with a
``rejection`` reason, so that it can be stored and shown to support staff. A rejected event
keeps its ``source`` (trimmed) wherever it can be read: non-blank JSON text that is valid
Unicode. A source of another JSON type (number, boolean, array, object) is not a source.
Limits on size and depth are documented in docs/normalization.md.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from eventdesk.core.canonical import NotCanonicalizable, canonical_json, content_hash, json_type, sha256_hex
from eventdesk.core.model import Envelope, payload_of  # noqa: F401  (payload_of: its old home)
from eventdesk.core.reasons import (
    INPUT_LONE_SURROGATE,
    INPUT_NOT_OBJECT,
    INPUT_NOT_UTF8,
    INPUT_TOO_LARGE,
    JSON_INVALID,
    JSON_TOO_DEEP,
    PAYLOAD_MISSING,
    PAYLOAD_NOT_OBJECT,
    PAYLOAD_UNREADABLE,
    SOURCE_EMPTY,
    SOURCE_MISSING,
    SOURCE_NOT_TEXT,
    Problem,
)

MAX_EVENT_BYTES = 16 * 1024 * 1024  # larger inputs are stored, but rejected unread


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


_decoder = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constants)


def parse_json(text: str) -> Any:
    """JSON with exact decimals; NaN and Infinity refused; one leading byte order mark allowed.

    Raises ValueError or RecursionError.
    """
    start = 1 if text[:1] == "\ufeff" else 0
    if text[start:start + 1] in _BLANK:
        start = _skip_blank(text, start)
    value, end = _decoder.raw_decode(text, start)
    if end != len(text) and _skip_blank(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


_BLANK = " \t\n\r"


def _skip_blank(text: str, index: int) -> int:
    while index < len(text) and text[index] in _BLANK:
        index += 1
    return index


def _json_problem(exc: ValueError) -> Problem:
    if isinstance(exc, json.JSONDecodeError):
        return Problem(JSON_INVALID, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    return Problem(JSON_INVALID, f"not valid JSON: {exc}")


def _reject(text: str | bytes, reason: str, value: Any = None, parsed: bool = False) -> Envelope:
    digest = None
    if parsed:
        try:
            digest = sha256_hex(canonical_json(value).encode("utf-8"))
        except (NotCanonicalizable, UnicodeEncodeError, RecursionError):
            digest = None
    if digest is None:
        digest = sha256_hex(text if isinstance(text, bytes) else text.encode("utf-8"))
    return Envelope(text=text, content_hash=digest, source=readable_source(value), rejection=reason)


def readable_source(value: Any) -> str | None:
    """The source of a parsed input, trimmed, when it is non-blank valid text; else None."""
    source = value.get("source") if isinstance(value, dict) else None
    if not isinstance(source, str) or not source.strip():
        return None
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot be stored as text
        return None
    return source.strip()


def read_envelope(received: str | bytes) -> Envelope:
    """Parse one input as received; never raises for anything a client can send."""
    if isinstance(received, str) and not received.isascii():
        try:
            size = len(received.encode("utf-8"))
        except UnicodeEncodeError:  # lone surrogates, e.g. undecodable bytes from argv
            received = received.encode("utf-8", "surrogateescape" if _escaped(received) else "surrogatepass")
            size = len(received)
    else:
        size = len(received)
    if size > MAX_EVENT_BYTES:
        return _reject(received, Problem(INPUT_TOO_LARGE,
                                         f"event is larger than {MAX_EVENT_BYTES // (1024 * 1024)} MiB"))
    if isinstance(received, bytes):
        try:
            received = text = received.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _reject(received, Problem(
                INPUT_NOT_UTF8, f"not valid UTF-8: byte 0x{received[exc.start]:02x} at position {exc.start}"))
    else:
        text = received
    try:
        value = parse_json(text)
    except RecursionError:
        return _reject(received, Problem(JSON_TOO_DEEP, "not valid JSON: nested too deeply"))
    except ValueError as exc:
        return _reject(received, _json_problem(exc))
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(value), "a number")
        return _reject(received, Problem(INPUT_NOT_OBJECT, f"event is {kind}, not an object"), value, parsed=True)
    reason = _structure_problem(value)
    if reason:
        return _reject(received, reason, value, parsed=True)
    source, payload = value["source"], value["payload"]
    try:
        digest = content_hash(source, payload)
    except NotCanonicalizable as exc:
        code = JSON_TOO_DEEP if "nested deeper" in str(exc) else PAYLOAD_UNREADABLE  # our own text
        return _reject(received, Problem(code, f"payload cannot be read: {exc}"), value)
    except RecursionError:
        return _reject(received, Problem(JSON_TOO_DEEP, "payload is nested too deeply"), value)
    except UnicodeEncodeError:
        return _reject(received, Problem(INPUT_LONE_SURROGATE, "event contains a lone surrogate"
                                         " (\\ud800-\\udfff), which is not valid Unicode"), value)
    return Envelope(text=received, content_hash=digest, source=source, payload=payload,
                    simulate_failure=value.get("simulateFailure") is True)


def _structure_problem(event: dict[str, Any]) -> Problem | None:
    """Why a JSON object is not an event (design section 3, `rejected`), or None."""
    source, payload = event.get("source"), event.get("payload")
    if source is None:
        return Problem(SOURCE_MISSING, "source is missing")
    if not isinstance(source, str):
        return Problem(SOURCE_NOT_TEXT, f"source must be text, not {json_type(source)}")
    if not source.strip():
        return Problem(SOURCE_EMPTY, "source is empty")
    if payload is None:
        return Problem(PAYLOAD_MISSING, "payload is missing")
    if not isinstance(payload, dict):
        return Problem(PAYLOAD_NOT_OBJECT, f"payload must be an object, not {json_type(payload)}")
    return None


def _escaped(text: str) -> bool:
    """True when every surrogate in the text is a surrogateescape'd byte (U+DC80..U+DCFF)."""
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)
