"""Reading amounts exactly (design section 5, `amount`).

``parse_amount`` never raises: it returns the Decimal, or None with a warning saying why.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

#: Amounts outside this range of magnitude are refused as implausible (see docs/normalization.md).
MAX_ADJUSTED_EXPONENT = 24   # below 10**25
MIN_EXPONENT = -18           # no digits below 10**-18

_CURRENCY_SYMBOLS = "$€£¥"
_PLAIN = re.compile(r"[+-]?\d+(?:\.\d+)?")
_AFFIX = re.compile(
    r"^(?P<sign1>[+-]?)\s*(?:(?P<pre_sym>[$€£¥])|(?P<pre_code>[A-Z]{3})\s?)?\s*(?P<sign2>[+-]?)\s*"
    r"(?P<number>[\d.,'\s]*\d[\d.,'\s]*(?:[eE][+-]?\d+)?|[\d.,]*\.\d+(?:[eE][+-]?\d+)?)"
    r"\s*(?:(?P<post_sym>[$€£¥])|\s?(?P<post_code>[A-Z]{3}))?\s*(?P<sign3>-?)$"
)
_GROUPED_DOT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")      # 1,200.50
_GROUPED_COMMA = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")    # 1.200,50
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?")


def _checked(value: Decimal, shown: Any) -> tuple[Decimal | None, str | None]:
    if not value.is_finite():
        return None, f"amount {shown!r} is not a finite number"
    if value == 0:
        return Decimal(0), None
    if value.adjusted() > MAX_ADJUSTED_EXPONENT or value.normalize().as_tuple().exponent < MIN_EXPONENT:  # type: ignore[operator]
        return None, f"amount {shown!r} is outside the supported range"
    return value, None


def _number_body(text: str, decimal_comma: bool) -> str | None:
    """The digits of a number body in plain `1234.5` form, or None when it is not one."""
    body = text.replace(" ", "").replace("\u00a0", "").replace("'", "")
    if _PLAIN.fullmatch(body) and not decimal_comma:
        return body
    if decimal_comma:
        if re.fullmatch(r"\d+(?:,\d+)?", body):
            return body.replace(",", ".")
        if _GROUPED_COMMA.fullmatch(body):
            return body.replace(".", "").replace(",", ".")
        if re.fullmatch(r"\d+", body):
            return body
    else:
        if _GROUPED_DOT.fullmatch(body):
            return body.replace(",", "")
    if _SCIENTIFIC.fullmatch(body) and (not decimal_comma or "," not in body):
        return body
    return None


def parse_amount(value: Any, decimal_comma: bool = False) -> tuple[Decimal | None, str | None]:
    """Read an amount; returns (Decimal, None) or (None, warning)."""
    if isinstance(value, bool):
        return None, f"amount {value!r} is a boolean, not an amount"
    if isinstance(value, int):
        return _checked(Decimal(value), value)
    if isinstance(value, Decimal):
        return _checked(value, value)
    if isinstance(value, float):
        return _checked(Decimal(repr(value)), value)
    if not isinstance(value, str):
        return None, f"amount has type {type(value).__name__}, not a number or text"
    text = value.strip()
    if not text:
        return None, "amount is empty text"
    if len(text) > 100:
        return None, "amount text is longer than 100 characters"
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    match = _AFFIX.match(text)
    if match is None:
        return None, f"amount {value!r} is not a number"
    signs = [s for s in (match["sign1"], match["sign2"], match["sign3"]) if s]
    if len(signs) > 1 or (signs and negative):
        return None, f"amount {value!r} has more than one sign"
    if (match["pre_sym"] or match["pre_code"]) and (match["post_sym"] or match["post_code"]):
        return None, f"amount {value!r} names its currency twice"
    body = _number_body(match["number"].strip(), decimal_comma)
    if body is None:
        return None, f"amount {value!r} is not a number"
    try:
        amount = Decimal(body)
    except InvalidOperation:
        return None, f"amount {value!r} is not a number"
    if negative or (signs and signs[0] == "-"):
        amount = -amount
    return _checked(amount, value)
