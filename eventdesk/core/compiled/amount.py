"""Amounts read into their stored form (canonical text, units of 10**-4) without Decimal.

Only the common forms are read here, by the same patterns that ``core.amounts`` takes its own
fast paths with, so the value is the same by construction; ``None`` means "not sure: ask
``parse_amount``".
"""
from __future__ import annotations

import re
from typing import Any, Optional

from eventdesk.core.aggregation import INT64_MAX, UNIT_PLACES

StoredAmount = tuple[str, Optional[int]]  # canonical text, exact units (None where they do not fit)

_UNIT_LIMIT = INT64_MAX // 1_000_000  # as aggregation.amount_units: headroom for a day's sum
_INT_LIMIT = 10 ** 25  # core.amounts reads ints below this without a range check
_PLAIN = re.compile(r"(-?)([0-9]{1,25})(?:\.([0-9]{1,18}))?")


def _number_pattern(mark: str, group: str) -> re.Pattern[str]:
    """As ``core.amounts._fast_pattern``: ``-$1,200.50``, ``1.200,50 EUR``, in range by construction."""
    number = (rf"(?:[0-9]{{1,3}}(?:{re.escape(group)}[0-9]{{3}}){{1,7}}|[0-9]{{1,24}})"
              rf"(?:{re.escape(mark)}[0-9]{{1,18}})?")
    return re.compile(rf"(-?)(?:[$€£¥](?P<a>{number})|(?P<b>{number}) ?(?:[A-Z]{{3}}|[$€£¥])?)")


_TEXT = {False: (_number_pattern(".", ","), ",", "."), True: (_number_pattern(",", "."), ".", ",")}


def stored_amount(value: Any, decimal_comma: bool) -> StoredAmount | None:
    """The stored form of an amount in a common form, or None when ``parse_amount`` must read it."""
    kind = type(value)
    if kind is str:
        if not decimal_comma:
            plain = _PLAIN.fullmatch(value)
            if plain is not None:
                return _of_digits(plain[1], plain[2], plain[3] or "")
        pattern, group, mark = _TEXT[decimal_comma]
        match = pattern.fullmatch(value)
        if match is None:
            return None
        whole, _, fraction = (match["a"] or match["b"]).replace(group, "").partition(mark)
        return _of_digits(match[1], whole, fraction)
    if kind is int:
        if -_INT_LIMIT < value < _INT_LIMIT:
            return str(value), _units(value * 10 ** UNIT_PLACES)
        return None
    if kind is float:
        text = repr(value)  # core.amounts reads Decimal(repr(value)); a plain repr is in range
        if "e" in text or "n" in text:
            return None
        sign = "-" if text[0] == "-" else ""
        whole, _, fraction = text.lstrip("-").partition(".")
        if len(fraction.rstrip("0")) > 18:  # digits below 1e-18: out of range, parse_amount says why
            return None
        return _of_digits(sign, whole, fraction)
    return None


def _of_digits(sign: str, whole: str, fraction: str) -> StoredAmount:
    """Canonical text and units of ``sign whole.fraction`` (ASCII digits), as amount_text writes it."""
    whole = whole.lstrip("0")
    fraction = fraction.rstrip("0")
    if not whole and not fraction:
        return "0", 0  # -0 and 0.000 are 0
    text = (whole or "0") + ("." + fraction if fraction else "")
    if len(fraction) > UNIT_PLACES:
        return (sign + text), None
    units = int((whole or "0") + fraction.ljust(UNIT_PLACES, "0"))
    return sign + text, _units(-units if sign else units)


def _units(units: int) -> int | None:
    return units if -_UNIT_LIMIT <= units <= _UNIT_LIMIT else None
