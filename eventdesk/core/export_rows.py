"""The row shapes of `eventdesk export` (design section 8), shared by the CLI and the GUI.

Raw rows give the payload exactly as received: its JSON text is copied, never re-parsed, so
huge integers, long decimals, ``-0``, ``1e400``, duplicate keys and escapes stay as they came.
An input that was not an event gives its text as received, as a JSON string; an input that
was not valid UTF-8 gives ``"base64:"`` followed by the standard base64 of its bytes (its
``error`` says ``not valid UTF-8``), so that nothing is lost or guessed.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from eventdesk.core.model import NormalizedEvent, RawEvent

RAW_FIELDS = ("id", "source", "payload", "status", "content_hash", "error", "attempts", "receipts",
              "received_at", "reasons",
              # what it led to: its own normalized event, or the one it is a semantic duplicate of
              "normalized_id", "duplicate_of")
NORMALIZED_FIELDS = ("id", "raw_id", "client_id", "metric", "amount", "timestamp", "normalized_hash",
                     "warnings", "reasons")  # reasons: [{"code", "field", "key"}] (docs/reasons.md)
BYTES_PREFIX = "base64:"

_decoder = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)
_BLANK = " \t\n\r"


class JsonText(str):
    """JSON text to be written as it is (a payload exactly as received)."""


def received_text(text: str | bytes) -> str:
    """The text as received, readable even when it was not UTF-8 (for display)."""
    return text if isinstance(text, str) else text.decode("utf-8", "backslashreplace")


def exported_text(text: str | bytes) -> str:
    """The text as received, losslessly: ``base64:...`` when it is not UTF-8."""
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        return BYTES_PREFIX + base64.b64encode(text).decode("ascii")


def raw_row(event: RawEvent) -> dict[str, Any]:
    """A raw event for display: its payload parsed, or the text as received when it has none."""
    payload = event.payload() if event.status != "rejected" else None
    if payload is None:
        payload = received_text(event.text)
    return _raw_fields(event, payload)


def raw_export_row(event: RawEvent) -> dict[str, Any]:
    """A raw event as exported: the payload's JSON text as received, or the whole text."""
    span = payload_text(event.text) if event.status != "rejected" else None
    return _raw_fields(event, JsonText(span) if span is not None else exported_text(event.text))


def _raw_fields(event: RawEvent, payload: Any) -> dict[str, Any]:
    return {"id": event.id, "source": event.source, "payload": payload, "status": event.status,
            "content_hash": event.content_hash, "error": event.error, "attempts": event.attempts,
            "receipts": event.receipts, "received_at": event.received_at,
            "reasons": [r.to_json() for r in event.reasons],
            "normalized_id": event.normalized_id, "duplicate_of": event.duplicate_of}


def normalized_row(event: NormalizedEvent) -> dict[str, Any]:
    return {"id": event.id, "raw_id": event.raw_id, "client_id": event.client_id,
            "metric": event.metric, "amount": _exact(event.amount), "timestamp": event.timestamp,
            "normalized_hash": event.normalized_hash, "warnings": event.warnings,
            "reasons": [r.to_json() for r in event.reasons]}


def _exact(amount: Any) -> Any:
    """Amounts are written as exact decimal text, never as a binary float or with an exponent."""
    if amount is None or isinstance(amount, str):
        return amount
    return format(Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount), "f")


def payload_text(text: str | bytes) -> str | None:
    """The JSON text of the top-level ``payload`` member (the last one, as parsing keeps), or None."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return None
    found = None
    try:
        for key, start, end in _members(text):
            if key == "payload":
                found = text[start:end]
    except (ValueError, RecursionError):
        return None
    # a pretty-printed input may break lines between tokens; inside strings they are escaped
    return found.replace("\r", " ").replace("\n", " ") if found is not None else None


def _members(text: str) -> Iterator[tuple[str, int, int]]:
    """(key, start, end) of each member of the top-level object, in order."""
    index = _skip(text, 1 if text[:1] == "\ufeff" else 0)
    if text[index:index + 1] != "{":
        raise ValueError("not an object")
    index = _skip(text, index + 1)
    while text[index:index + 1] == '"':
        key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
        index = _skip(text, index)
        if text[index:index + 1] != ":":
            raise ValueError("expected ':'")
        start = _skip(text, index + 1)
        _, end = _decoder.raw_decode(text, start)
        yield key, start, end
        index = _skip(text, end)
        if text[index:index + 1] != ",":
            return
        index = _skip(text, index + 1)


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _BLANK:
        index += 1
    return index


def json_line(row: dict[str, Any]) -> str:
    """One JSON-lines row; ``JsonText`` values are copied as they are."""
    parts = [f"{json.dumps(key)}: {value if isinstance(value, JsonText) else _dumps(value)}"
             for key, value in row.items()]
    return "{" + ", ".join(parts) + "}"


def csv_cells(row: dict[str, Any]) -> dict[str, Any]:
    """One CSV row: objects and lists as JSON text, payload text as received."""
    return {key: value if isinstance(value, (str, int)) or value is None else _dumps(value)
            for key, value in row.items()}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_exact_default)


def _exact_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
