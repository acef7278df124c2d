"""Reading amounts exactly (design section 5, `amount`).

``parse_amount`` never raises: it returns the Decimal, or None with a warning saying why.
Text is read as ``[sign] [currency] [sign] number [currency] [-]``, optionally wrapped in
accounting parentheses (``(12.50)``, ``$(12.50)``, ``(EUR 12.50)``), with at most one sign and
one currency. The number uses the client's decimal mark (``.``, or ``,`` with
``decimal_comma``); its integer part is plain digits or groups of three separated by one
consistent separator (the other mark, a blank, a no-break or thin space, or ``'``).
Scientific notation is accepted on ungrouped numbers. See docs/normalization.md.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from eventdesk.core.canonical import brief, json_type
from eventdesk.core.reasons import (
    AMOUNT_EMPTY,
    AMOUNT_NOT_FINITE,
    AMOUNT_NOT_NUMBER,
    AMOUNT_OUT_OF_RANGE,
    AMOUNT_TOO_LONG,
    AMOUNT_UNPARSEABLE,
    Problem,
)

#: Amounts outside this range of magnitude are refused as implausible (docs/normalization.md).
MAX_ADJUSTED_EXPONENT = 24   # below 10**25
MIN_EXPONENT = -18           # no digits below 10**-18
MAX_TEXT = 100               # longer text is not read at all

Result = tuple[Decimal | None, str | None]

CURRENCY_SYMBOLS = "$€£¥"
_GROUP_BLANKS = " \u00a0\u202f\u2009'"  # blank, no-break, narrow no-break, thin space, apostrophe
_ZERO = Decimal(0)
_SIGNS = {"+": "+", "-": "-", "\u2212": "-"}  # U+2212 is the typographic minus sign
_INT_LIMIT = 10 ** (MAX_ADJUSTED_EXPONENT + 1)
_FAST = re.compile(r"-?[0-9]{1,25}(?:\.[0-9]{1,18})?")  # the common "1200.50"; no range trouble


def _fast_pattern(mark: str, group: str) -> re.Pattern[str]:
    """Common forms ``-$1,200.50``, ``1.200,50 EUR``: in range and unambiguous by construction."""
    number = (rf"(?:[0-9]{{1,3}}(?:{re.escape(group)}[0-9]{{3}}){{1,7}}|[0-9]{{1,24}})"
              rf"(?:{re.escape(mark)}[0-9]{{1,18}})?")
    return re.compile(rf"-?(?:[$€£¥](?P<a>{number})|(?P<b>{number}) ?(?:[A-Z]{{3}}|[$€£¥])?)")


_FAST_TEXT = {False: (_fast_pattern(".", ","), ",", "."), True: (_fast_pattern(",", "."), ".", ",")}


def _body_pattern(mark: str, groupers: str) -> re.Pattern[str]:
    group = re.escape(groupers)
    return re.compile(
        rf"(?P<int>[0-9]+|[0-9]{{1,3}}(?P<sep>[{group}])[0-9]{{3}}(?:(?P=sep)[0-9]{{3}})*)?"
        rf"(?:{re.escape(mark)}(?P<frac>[0-9]+))?"
        r"(?:[eE](?P<exp>[+-]?[0-9]{1,6}))?")


_BODY = {False: _body_pattern(".", "," + _GROUP_BLANKS), True: _body_pattern(",", "." + _GROUP_BLANKS)}
_CODE = re.compile(r"[A-Z]{3}")


def parse_amount(value: Any, decimal_comma: bool = False) -> Result:
    """Read an amount; returns (Decimal, None) or (None, warning)."""
    kind = type(value)
    if kind is str:
        if not decimal_comma and _FAST.fullmatch(value):  # in range by construction
            amount = Decimal(value)
            return (amount if amount else _ZERO), None
        pattern, group, mark = _FAST_TEXT[decimal_comma]
        match = pattern.fullmatch(value)
        if match is None:
            return _parse_text(value, decimal_comma)
        amount = Decimal((match["a"] or match["b"]).replace(group, "").replace(mark, "."))
        if value[0] == "-":
            amount = amount.copy_negate()  # exact: unary minus rounds to 28 digits
        return (amount if amount else _ZERO), None
    if kind is int:
        if -_INT_LIMIT < value < _INT_LIMIT:
            return Decimal(value), None
        return _checked(Decimal(value), value)
    if kind is Decimal:
        return _checked(value, value)
    if kind is float:
        return _checked(Decimal(repr(value)), value)
    if isinstance(value, bool):
        return None, Problem(AMOUNT_NOT_NUMBER, f"amount {brief(value)} is a boolean, not an amount")
    if isinstance(value, (int, Decimal, float, str)):  # subclasses: read as the base type
        base = next(t for t in (int, Decimal, float, str) if isinstance(value, t))
        return parse_amount(base(value), decimal_comma)
    return None, Problem(AMOUNT_NOT_NUMBER, f"amount is {json_type(value)}, not a number or text")


def _checked(value: Decimal, shown: Any) -> Result:
    """The amount if it is finite and inside the supported range."""
    if not value.is_finite():
        return None, Problem(AMOUNT_NOT_FINITE, f"amount {brief(shown)} is not a finite number")
    if not value:
        return _ZERO, None
    if value.adjusted() > MAX_ADJUSTED_EXPONENT:
        return None, Problem(AMOUNT_OUT_OF_RANGE,
                             f"amount {brief(shown)} is outside the supported range (below 1e25)")
    exponent = value.as_tuple().exponent
    if exponent < MIN_EXPONENT:  # type: ignore[operator]
        digits = value.as_tuple().digits
        trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
        if exponent + trailing < MIN_EXPONENT:  # type: ignore[operator]
            return None, Problem(AMOUNT_OUT_OF_RANGE, (f"amount {brief(shown)} is outside the supported range "
                          f"(no digits below 1e{MIN_EXPONENT})"))
    return value, None


def _parse_text(value: str, decimal_comma: bool) -> Result:
    text = value.strip()
    if not text:
        return None, Problem(AMOUNT_EMPTY, "amount is empty text")
    if len(text) > MAX_TEXT:
        return None, Problem(AMOUNT_TOO_LONG, f"amount text is longer than {MAX_TEXT} characters")
    text, currencies = _peel_currency(text)
    negative = text[:1] == "(" and text[-1:] == ")"
    if negative:
        text = text[1:-1].strip()
    text, signs = _peel_sign(text)
    text, more = _peel_currency(text)
    currencies += more
    text, more_signs = _peel_sign(text)
    signs += more_signs
    if currencies > 1:
        return None, Problem(AMOUNT_UNPARSEABLE, f"amount {brief(value)} names its currency twice")
    if len(signs) > 1 or (signs and negative):
        return None, Problem(AMOUNT_UNPARSEABLE, f"amount {brief(value)} has more than one sign")
    amount = _number(text, decimal_comma)
    if amount is None:
        mark = "," if decimal_comma else "."
        return None, Problem(AMOUNT_UNPARSEABLE,
                             f"amount {brief(value)} is not a number (this client's decimal mark is {mark!r})")
    if negative or signs == "-":
        amount = amount.copy_negate()  # exact: unary minus rounds to 28 digits
    return _checked(amount, value)


def _peel_currency(text: str) -> tuple[str, int]:
    """Remove one currency symbol or 3-letter upper-case code from either end."""
    if not text:
        return text, 0
    if text[0] in CURRENCY_SYMBOLS:
        return text[1:].lstrip(), 1
    if text[-1] in CURRENCY_SYMBOLS:
        return text[:-1].rstrip(), 1
    if len(text) > 3:
        if _CODE.match(text) and not text[3].isalpha():
            return text[3:].lstrip(), 1
        if _CODE.fullmatch(text, len(text) - 3) and not text[-4].isalpha():
            return text[:-3].rstrip(), 1
    return text, 0


def _peel_sign(text: str) -> tuple[str, str]:
    """Remove a leading sign or a trailing minus; returns the text and the signs found."""
    signs = ""
    if text[:1] in _SIGNS:
        signs, text = _SIGNS[text[0]], text[1:].lstrip()
    if text[-1:] in ("-", "\u2212"):
        signs, text = signs + "-", text[:-1].rstrip()
    return text, signs


def _number(text: str, decimal_comma: bool) -> Decimal | None:
    """The number in a body such as ``1,200.50`` or ``1.5e3``, or None when it is not one."""
    match = _BODY[decimal_comma].fullmatch(text)
    if match is None:
        return None
    whole, separator, fraction, exponent = match.group("int", "sep", "frac", "exp")
    if whole is None and fraction is None:
        return None
    if separator is not None:
        if exponent is not None:
            return None  # "1,200e3" is not a way anyone writes a number
        whole = whole.replace(separator, "")
    body = (whole or "0") + ("." + fraction if fraction else "") + ("e" + exponent if exponent else "")
    try:
        return Decimal(body)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid bodies
        return None


# -- provenance (core/provenance.py): the same reading, with the rule that made it in words


def read_amount_with_rule(value: Any, decimal_comma: bool = False) -> tuple[Decimal | None, str | None, str | None]:
    """``parse_amount``'s (amount, warning), and the rule that read it in words (None when unread)."""
    amount, problem = parse_amount(value, decimal_comma)
    return amount, problem, (None if amount is None else amount_rule(value, decimal_comma))


def amount_rule(value: Any, decimal_comma: bool = False) -> str:
    """Words for how an amount that reads is written: ``plain decimal``, ``decimal comma, ...``."""
    if not isinstance(value, str):  # booleans never get here: they are not amounts
        return "JSON integer" if isinstance(value, int) else "JSON number"
    text, currency = _currency_word(str(value).strip())
    parts = []
    if text[:1] == "(" and text[-1:] == ")":
        parts.append("accounting negative (parentheses)")
        text = text[1:-1].strip()
    for _ in range(2):  # sign and currency in either order, as _parse_text peels them
        if text[-1:] in ("-", "\u2212"):
            parts.append("trailing minus")
        text = _peel_sign(text)[0]
        if currency is None:
            text, currency = _currency_word(text)
    if currency is not None:
        parts.append(currency)
    match = _BODY[decimal_comma].fullmatch(text)
    if match is not None and match["sep"] is not None:
        parts.insert(0, f"thousands separator {match['sep']!r}")
    if match is not None and match["exp"] is not None:
        parts.append("scientific notation")
    mark = "decimal comma" if decimal_comma else ("decimal point" if parts else "plain decimal")
    return ", ".join([mark, *parts])


def _currency_word(text: str) -> tuple[str, str | None]:
    """The text without one currency at either end (as ``_peel_currency``), and that currency in words."""
    rest, found = _peel_currency(text)
    if not found:
        return text, None
    if text[0] in CURRENCY_SYMBOLS or text[-1] in CURRENCY_SYMBOLS:
        symbol = text[0] if text[0] in CURRENCY_SYMBOLS else text[-1]
        word = "currency symbol " + symbol  # built apart: test_reasons forbids text made inside a returned tuple
    else:
        word = "currency code " + (text[:3] if _CODE.match(text) and not text[3].isalpha() else text[-3:])
    return rest, word
