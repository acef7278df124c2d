"""Canonical JSON (RFC 8785, JCS) and the two content hashes of design section 4.

JCS writes objects with keys sorted by UTF-16 code units, no whitespace, strings with only the
mandatory escapes, and numbers as ECMAScript writes an IEEE double. One deliberate difference:
numbers are kept exact. A number is written in ECMAScript's layout (``1e+21``, ``0.000001``,
``1e-7``) from its own decimal digits, so every number that a double holds exactly as written
(``1200``, ``1200.0``, ``4.50``, ``1e21``) gets JCS's text, while a number with more digits than
a double holds (integers beyond 2**53, ``12345678901234567.5``, values beyond 1e308) keeps
all its digits instead of being rounded. Two different numbers therefore never share a hash,
and an amount can never be swallowed as an exact duplicate of a different amount.
See docs/normalization.md.
"""
from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

MAX_DEPTH = 200  # nesting deeper than this is refused before hashing (docs/normalization.md)
MAX_INTEGER_DIGITS = 21  # ECMAScript writes integers up to 21 digits without an exponent

_quote: Any = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
_INT_PLAIN_LIMIT = 10**MAX_INTEGER_DIGITS


class NotCanonicalizable(ValueError):
    """The value holds something JSON cannot carry (NaN, infinity, too deep, non-text keys)."""


def _layout(digits: str, point: int) -> str:
    """ECMAScript's layout of ``0.<digits> * 10**point`` (digits without leading/trailing 0)."""
    k = len(digits)
    if k <= point <= MAX_INTEGER_DIGITS:
        return digits + "0" * (point - k)
    if 0 < point <= MAX_INTEGER_DIGITS:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * (-point) + digits
    e = point - 1
    return digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-") + str(abs(e))


def es6_number(value: float) -> str:
    """Write a finite double as ECMAScript's Number.prototype.toString does."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        raise NotCanonicalizable("NaN and infinities have no JSON form")
    text = repr(abs(value))  # the shortest digits that read back as this double
    mantissa, _, exp_text = text.partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    if frac_part == "0":
        frac_part = ""
    if int_part == "0":  # 0.00ddd: no exponent in repr
        digits = frac_part.lstrip("0")
        point = len(digits) - len(frac_part)
    else:
        digits = int_part + frac_part
        point = len(int_part) + (int(exp_text) if exp_text else 0)
    text = _layout(digits.rstrip("0"), point)
    return "-" + text if value < 0 else text


def decimal_number(value: Decimal) -> str:
    """Write a finite Decimal in ECMAScript's layout from its exact digits."""
    if not value.is_finite():
        raise NotCanonicalizable("NaN and infinities have no JSON form")
    if not value:
        return "0"
    text = str(value)
    if "E" not in text:  # plain form, the usual case: trim trailing zeros and we are done
        whole = text.find(".")
        if whole < 0:
            whole = len(text)
        if whole - (text[0] == "-") <= MAX_INTEGER_DIGITS:
            return text.rstrip("0").rstrip(".") if whole < len(text) else text
    sign, digit_tuple, exponent = value.as_tuple()
    coefficient = "".join(map(str, digit_tuple))
    digits = coefficient.rstrip("0")
    point = len(coefficient) + int(exponent)
    text = _layout(digits, point)
    return "-" + text if sign else text


def _int_number(value: int) -> str:
    if -_INT_PLAIN_LIMIT < value < _INT_PLAIN_LIMIT:
        return int.__repr__(value)
    return decimal_number(Decimal(value))  # Decimal(int) has no 4300-digit limit, str(int) has


def _encode(value: Any, depth: int) -> str:
    kind = type(value)
    if kind is str:
        return _quote(value)  # type: ignore[no-any-return]
    if kind is dict:
        if depth >= MAX_DEPTH:
            raise NotCanonicalizable(f"nested deeper than {MAX_DEPTH} levels")
        keys = sorted(value)
        if not all(map(str.isascii, keys)):
            # UTF-16 code-unit order differs from code-point order above U+FFFF
            keys.sort(key=_utf16_key)
        depth += 1
        return "{" + ",".join([_quote(k) + ":" + _encode(value[k], depth) for k in keys]) + "}"
    if kind is list:
        if depth >= MAX_DEPTH:
            raise NotCanonicalizable(f"nested deeper than {MAX_DEPTH} levels")
        depth += 1
        return "[" + ",".join([_encode(v, depth) for v in value]) + "]"
    if kind is Decimal:
        return decimal_number(value)
    if kind is int:
        return _int_number(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is float:
        return es6_number(value)
    return _encode_subclass(value, depth)


def _encode_subclass(value: Any, depth: int) -> str:
    """Subclasses of the JSON types, and tuples (rare: the fast path compares exact types)."""
    if isinstance(value, str):
        return _encode(str(value), depth)
    if isinstance(value, int):  # bool is handled by identity before we get here
        return _encode(int(value), depth)
    if isinstance(value, float):
        return _encode(float(value), depth)
    if isinstance(value, Decimal):
        return _encode(Decimal(value), depth)
    if isinstance(value, dict):
        return _encode(dict(value), depth)
    if isinstance(value, (list, tuple)):
        return _encode(list(value), depth)
    raise NotCanonicalizable(f"{type(value).__name__} is not a JSON value")


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def canonical_json(value: Any) -> str:
    """The RFC 8785 text of a JSON value (numbers may be int, float or Decimal)."""
    try:
        return _encode(value, 0)
    except TypeError:  # a key that is not text (sorted() or the string quoter refused it)
        raise NotCanonicalizable("object keys must be text") from None


def sha256_hex(data: str | bytes) -> str:
    """SHA-256 of text (as UTF-8) or bytes, in lower-case hex."""
    if isinstance(data, str):
        data = data.encode("utf-8")  # strict: lone surrogates are refused upstream
    return hashlib.sha256(data).hexdigest()


def content_hash(source: Any, payload: Any) -> str:
    """The raw content hash: SHA-256 of the canonical ``{"source", "payload"}``."""
    if type(source) is str:  # "payload" sorts before "source"; saves building a dict
        try:
            text = '{"payload":' + _encode(payload, 1) + ',"source":' + _quote(source) + "}"
        except TypeError:
            raise NotCanonicalizable("object keys must be text") from None
        return sha256_hex(text)
    return sha256_hex(canonical_json({"source": source, "payload": payload}))


def amount_text(amount: Decimal) -> str:
    """Canonical decimal text: no exponent, no trailing zeros after the point, ``-0`` is ``0``."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def timestamp_text(moment: datetime) -> str:
    """UTC instant as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.isoformat() + "Z"
    if moment.utcoffset():
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat()[:-6] + "Z"  # drop the "+00:00"


def normalized_hash(client_id: str, metric: str | None, amount: Decimal | None,
                    timestamp: datetime | None, raw_content_hash: str) -> str:
    """The normalized hash; incomplete events also carry their raw content hash."""
    # The canonical JSON of {"amount", "client_id", ["content_hash"], "metric", "timestamp"},
    # written out by hand: keys in sorted order, every value text or null.
    text = ('{"amount":' + ("null" if amount is None else '"' + amount_text(amount) + '"')
            + ',"client_id":' + _quote(client_id))
    if metric is None or amount is None or timestamp is None:
        text += ',"content_hash":' + _quote(raw_content_hash)
    text += (',"metric":' + ("null" if metric is None else _quote(metric))
             + ',"timestamp":' + ("null" if timestamp is None else '"' + timestamp_text(timestamp) + '"')
             + "}")
    return sha256_hex(text)


def brief(value: Any, limit: int = 60) -> str:
    """A short, never-failing rendering of a client's value for a warning message."""
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[:limit] + "...")
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value) if -10**limit < value < 10**limit else f"{Decimal(value):.6e}"
    if isinstance(value, Decimal):
        if value.is_finite() and len(value.as_tuple().digits) > limit:
            return f"{value:.6e}"
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return json_type(value)


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for messages: object, array, text, number, ..."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    return type(value).__name__
