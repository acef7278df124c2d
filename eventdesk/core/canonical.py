"""Canonical JSON (RFC 8785, JCS) and the two content hashes of design section 4.

JCS writes objects with keys sorted by UTF-16 code units, no whitespace, strings with only the
mandatory escapes, and numbers as ECMAScript writes an IEEE double. One deliberate difference:
integers written without a fraction or exponent are kept exact at any size (JCS would round
them through a double), so two different large integers can never share a hash.
"""
from __future__ import annotations

import hashlib
import json
import math
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

MAX_DEPTH = 200  # nesting deeper than this is refused before hashing (see docs/limits)
# Numbers are encoded as marker strings, then substituted; the nonce makes a marker unforgeable.
_NONCE = secrets.token_hex(8)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                          allow_nan=False).encode


class NotCanonicalizable(ValueError):
    """The value holds something JSON cannot carry (NaN, infinity, too deep)."""


def es6_number(value: float) -> str:
    """Write a finite double as ECMAScript's Number.prototype.toString does."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        raise NotCanonicalizable("NaN and infinities have no JSON form")
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    if frac_part == "0":
        frac_part = ""
    digits = (int_part + frac_part).lstrip("0")
    # exponent n such that value = 0.d1d2... * 10**n
    n = len(int_part) + (int(exp_text) if exp_text else 0)
    if int_part == "0":
        n = -(len(frac_part) - len(frac_part.lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        sign = "+" if e >= 0 else "-"
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + sign + str(abs(e))
    return "-" + out if value < 0 else out


def _number_text(value: Decimal | float) -> str | None:
    """The JCS text of a non-integer JSON number, or None when JSON's own text is already it."""
    as_float = float(value)
    if not math.isfinite(as_float):
        # Beyond a double's range: keep the exact decimal so distinct values stay distinct.
        return format(Decimal(value).normalize(), "E") if isinstance(value, Decimal) else None
    return es6_number(as_float)


class _Raw(float):
    """Placeholder for a number whose canonical text is substituted after encoding."""


def _prepare(value: Any, depth: int, numbers: list[str]) -> Any:
    if depth > MAX_DEPTH:
        raise NotCanonicalizable(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        if any(type(k) is not str for k in value):
            raise NotCanonicalizable("object keys must be text")
        return {k: _prepare(v, depth + 1, numbers) for k, v in value.items()}
    if isinstance(value, list):
        return [_prepare(v, depth + 1, numbers) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, (Decimal, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise NotCanonicalizable("NaN and infinities have no JSON form")
        if isinstance(value, Decimal) and not value.is_finite():
            raise NotCanonicalizable("NaN and infinities have no JSON form")
        text = _number_text(value)
        # a unique marker string, replaced by the number's text once encoded
        numbers.append(text if text is not None else str(value))
        return f"\x00{_NONCE}{len(numbers) - 1}\x00"
    raise NotCanonicalizable(f"{type(value).__name__} is not a JSON value")


def _needs_utf16_sort(value: Any) -> bool:
    if isinstance(value, dict):
        return any(max(map(ord, k), default=0) > 0xFFFF for k in value) or any(
            _needs_utf16_sort(v) for v in value.values())
    if isinstance(value, list):
        return any(_needs_utf16_sort(v) for v in value)
    return False


def _encode_utf16_sorted(value: Any) -> str:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(_dumps(k) + ":" + _encode_utf16_sorted(value[k]) for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_encode_utf16_sorted(v) for v in value) + "]"
    return _dumps(value)


def canonical_json(value: Any) -> str:
    """The RFC 8785 text of a JSON value (numbers may be int, float or Decimal)."""
    numbers: list[str] = []
    prepared = _prepare(value, 0, numbers)
    text = _encode_utf16_sorted(prepared) if _needs_utf16_sort(prepared) else _dumps(prepared)
    if numbers:
        for i, number in enumerate(numbers):
            text = text.replace(f'"\\u0000{_NONCE}{i}\\u0000"', number, 1)
    return text


def sha256_hex(data: str | bytes) -> str:
    """SHA-256 of text (as UTF-8) or bytes, in lower-case hex."""
    if isinstance(data, str):
        data = data.encode("utf-8")  # strict: lone surrogates are refused upstream
    return hashlib.sha256(data).hexdigest()


def content_hash(source: Any, payload: Any) -> str:
    """The raw content hash: SHA-256 of the canonical ``{"source", "payload"}``."""
    return sha256_hex(canonical_json({"source": source, "payload": payload}))


def amount_text(amount: Decimal) -> str:
    """Canonical decimal text: no exponent, no trailing zeros after the point."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def timestamp_text(moment: datetime) -> str:
    """UTC instant as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") if moment.year >= 1000 else (
        f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def normalized_hash(client_id: str, metric: str | None, amount: Decimal | None,
                    timestamp: datetime | None, raw_content_hash: str) -> str:
    """The normalized hash; incomplete events also carry their raw content hash."""
    fields: dict[str, Any] = {
        "client_id": client_id,
        "metric": metric,
        "amount": None if amount is None else amount_text(amount),
        "timestamp": None if timestamp is None else timestamp_text(timestamp),
    }
    if metric is None or amount is None or timestamp is None:
        fields["content_hash"] = raw_content_hash
    return sha256_hex(_dumps(fields))
