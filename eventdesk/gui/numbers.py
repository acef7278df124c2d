"""Numbers and times as the window shows them: the user's locale (QLocale), fixed decimals per
column, exact values kept for tooltips, copy and export; timestamps one way, in UTC."""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from typing import Any, Iterable, Optional

from PySide6.QtCore import QLocale

AMOUNT_PLACES = 2   # amounts show at least this many decimals (more when entered with more)
AVERAGE_PLACES = 2


def places_of(text: Any) -> int:
    """Decimals as entered: '1235.5' -> 1, '45605' -> 0, '1E+3' -> 0."""
    try:
        exponent = Decimal(str(text)).as_tuple().exponent
    except (InvalidOperation, ValueError):
        return 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


def column_places(values: Iterable[Any], at_least: int = AMOUNT_PLACES) -> int:
    """One number of decimals for a whole column: the most any value was entered with."""
    return max([at_least, *(places_of(v) for v in values if v is not None)])


def integer(value: int) -> str:
    return QLocale().toString(int(value))


def decimal(value: Any, places: Optional[int] = None) -> str:
    """``value`` (text or number) with the locale's separators and ``places`` decimals (default:
    as entered, at least two); rounding half-even is for display only: tooltips hold the exact text."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    places = max(AMOUNT_PLACES, places_of(value)) if places is None else places
    with localcontext() as context:  # enough digits for any stored amount: quantize must not fail
        context.prec = max(28, len(number.as_tuple().digits) + places + 2)
        fixed = f"{number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN):f}"
    return _localise(fixed)


def _localise(fixed: str) -> str:
    locale = QLocale()
    sign = fixed.startswith("-")
    whole, _, fraction = fixed.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = locale.groupSeparator().join(groups) if not (locale.numberOptions()
                                                       & QLocale.NumberOption.OmitGroupSeparator) else "".join(groups)
    if fraction:
        text += locale.decimalPoint() + fraction
    return (locale.negativeSign() if sign else "") + text


def percent(part: int, whole: int) -> str:
    return f"{decimal(Decimal(100 * part) / Decimal(whole), 2)} %" if whole else "—"


def utc_time(text: Optional[str], label: bool = False) -> str:
    """'2024-01-05T10:00:00.123456Z' as '2024-01-05 10:00:00' (tables; ' UTC' with ``label``)."""
    if not text:
        return "—"
    shown = text.replace("T", " ")[:19]
    return f"{shown} UTC" if label else shown
