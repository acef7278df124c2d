"""Showing events as text: JSON pretty-printed without changing a single number."""
from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from eventdesk.core.export_rows import JsonText, raw_export_row, received_text
from eventdesk.core.model import RawEvent

_decoder = json.JSONDecoder(parse_float=Decimal)


def pretty_json(value: Any, indent: int = 2, level: int = 0) -> str:
    """Like ``json.dumps(indent=2)``, but Decimals are written exactly as they were read."""
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {pretty_json(v, indent, level + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"{inner}{pretty_json(v, indent, level + 1)}" for v in value) + f"\n{pad}]"
    if isinstance(value, JsonText):  # a payload as received: copied, not re-read
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def pretty_received(text: str | bytes) -> str:
    """The received text pretty-printed when it is JSON, else exactly as received."""
    plain = received_text(text)
    try:
        return pretty_json(_decoder.decode(plain))
    except (ValueError, RecursionError):
        return plain


def payload_text(text: str | bytes) -> str | None:
    """The payload of an event's text, pretty-printed; None when the text holds no payload."""
    try:
        value = _decoder.decode(received_text(text))
    except (ValueError, RecursionError):
        return None
    if isinstance(value, dict) and isinstance(value.get("payload"), dict):
        return pretty_json(value["payload"])
    return None


def exact_rows_text(events: Sequence[RawEvent]) -> str:
    """Raw events as export rows, pretty JSON (one object, or an array), payloads as received."""
    rows = [raw_export_row(e) for e in events]
    return pretty_json(rows[0] if len(rows) == 1 else rows)
