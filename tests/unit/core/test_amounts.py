"""Amounts (design section 5, `amount`): exact decimals from JSON numbers and text."""
from __future__ import annotations

from decimal import Decimal

import pytest

from eventdesk.core.amounts import _parse_text, parse_amount
from eventdesk.core.canonical import amount_text, brief

# (value as the client sent it, decimal_comma, canonical amount text)
ACCEPTED = [
    # JSON numbers (intake reads fractions as Decimal; ints stay ints)
    (1200, False, "1200"),
    (-7, False, "-7"),
    (0, False, "0"),
    (Decimal("1200.50"), False, "1200.5"),
    (Decimal("1.2E+3"), False, "1200"),
    (Decimal("-0.0"), False, "0"),
    (1200.5, False, "1200.5"),
    (0.1, False, "0.1"),
    (1e16, False, "10000000000000000"),
    (1200, True, "1200"),
    (Decimal("1200.5"), True, "1200.5"),
    # plain text, blanks around, leading sign
    ("1200", False, "1200"),
    ("1200.50", False, "1200.5"),
    ("  1200.50 \t", False, "1200.5"),
    ("\u00a01200\u2003", False, "1200"),
    ("+12", False, "12"),
    ("-12.5", False, "-12.5"),
    ("- 12.5", False, "-12.5"),
    ("\u22125", False, "-5"),
    ("-0", False, "0"),
    ("0.000", False, "0"),
    ("007", False, "7"),
    (".5", False, "0.5"),
    ("-.5", False, "-0.5"),
    # currency symbols before or after
    ("$1200.50", False, "1200.5"),
    ("$ 1200.50", False, "1200.5"),
    ("€12", False, "12"),
    ("12€", False, "12"),
    ("12 €", False, "12"),
    ("12\u00a0€", False, "12"),
    ("£3.20", False, "3.2"),
    ("¥1,000", False, "1000"),
    ("-$12", False, "-12"),
    ("$-12", False, "-12"),
    ("+$12", False, "12"),
    # 3-letter upper-case codes before or after
    ("EUR 12", False, "12"),
    ("EUR12", False, "12"),
    ("12 EUR", False, "12"),
    ("12EUR", False, "12"),
    ("USD -3.5", False, "-3.5"),
    ("-3.5 USD", False, "-3.5"),
    ("1.200,50 EUR", True, "1200.5"),
    ("EUR 1.200,50", True, "1200.5"),
    # thousands separators
    ("1,200.50", False, "1200.5"),
    ("$1,200.50", False, "1200.5"),
    ("1,234,567.891", False, "1234567.891"),
    ("1 200.50", False, "1200.5"),
    ("1\u00a0200.50", False, "1200.5"),
    ("1\u202f200.50", False, "1200.5"),
    ("1\u2009200", False, "1200"),
    ("1'200.50", False, "1200.5"),
    ("1,234", False, "1234"),
    ("1.234", False, "1.234"),
    # decimal_comma: "." groups thousands, "," is the decimal mark
    ("1.200,50", True, "1200.5"),
    ("1200,5", True, "1200.5"),
    ("1,234", True, "1.234"),
    ("1.234", True, "1234"),
    ("1.234.567", True, "1234567"),
    ("1 200,50 €", True, "1200.5"),
    ("1\u202f200,50\u00a0€", True, "1200.5"),
    ("0,5", True, "0.5"),
    ("12", True, "12"),
    ("-1.200,50", True, "-1200.5"),
    # scientific notation
    ("1e3", False, "1000"),
    ("1.5E3", False, "1500"),
    ("1.5e+3", False, "1500"),
    ("2.5e-3", False, "0.0025"),
    ("-1e2", False, "-100"),
    ("$1.5e3", False, "1500"),
    ("1,5e3", True, "1500"),
    # accounting negatives
    ("(12.50)", False, "-12.5"),
    ("( 12.50 )", False, "-12.5"),
    ("($12.50)", False, "-12.5"),
    ("$(12.50)", False, "-12.5"),
    ("(EUR 12.50)", False, "-12.5"),
    ("(12.50) EUR", False, "-12.5"),
    ("(1,200.50)", False, "-1200.5"),
    ("(1.200,50 €)", True, "-1200.5"),
    # trailing minus (accounting exports)
    ("12.50-", False, "-12.5"),
    ("12 EUR-", False, "-12"),
    # signs never cost digits (Decimal's unary minus would round to 28 of them)
    ("(123456789012345678901.123456789012345678)", False, "-123456789012345678901.123456789012345678"),
    ("123456789012345678901.123456789012345678-", False, "-123456789012345678901.123456789012345678"),
    ("-$123,456,789,012,345,678,901.123456789012345678", False, "-123456789012345678901.123456789012345678"),
    ("-1.234.567.890.123.456.789.012,123456789012345678 EUR", True, "-1234567890123456789012.123456789012345678"),
    # range edges
    ("9999999999999999999999999", False, "9999999999999999999999999"),
    ("0.000000000000000001", False, "0.000000000000000001"),
    ("1.000000000000000000000", False, "1"),
    (Decimal("1.00000000000000000000000000000"), False, "1"),
    (10**24, False, "1" + "0" * 24),
]


@pytest.mark.parametrize("value, decimal_comma, expected", ACCEPTED,
                         ids=[f"{v!r}{'-dc' if dc else ''}" for v, dc, _ in ACCEPTED])
def test_accepted_amounts(value, decimal_comma, expected):
    amount, warning = parse_amount(value, decimal_comma)
    assert warning is None
    assert isinstance(amount, Decimal)
    assert amount_text(amount) == expected


# (value, decimal_comma, words the warning must contain)
REFUSED = [
    (True, False, "boolean"),
    (False, False, "boolean"),
    (float("nan"), False, "not a finite number"),
    (float("inf"), False, "not a finite number"),
    (float("-inf"), False, "not a finite number"),
    (Decimal("NaN"), False, "not a finite number"),
    (Decimal("sNaN"), False, "not a finite number"),
    (Decimal("Infinity"), False, "not a finite number"),
    ("NaN", False, "not a number"),
    ("Infinity", False, "not a number"),
    ("-inf", False, "not a number"),
    ("true", False, "not a number"),
    (None, False, "null"),
    ([12], False, "an array"),
    ({"value": 12}, False, "an object"),
    ("", False, "empty"),
    ("   ", False, "empty"),
    ("abc", False, "not a number"),
    ("12abc", False, "not a number"),
    ("1 2 3", False, "not a number"),
    ("12 34", False, "not a number"),
    ("1,2", False, "not a number"),
    ("1,20", False, "not a number"),
    ("1,2345", False, "not a number"),
    ("1,200,30", False, "not a number"),
    ("1,200 300", False, "not a number"),
    ("1.200.300", False, "not a number"),
    ("1.200,50", False, "decimal mark is '.'"),
    ("1,200.50", True, "decimal mark is ','"),
    ("1.5e3", True, "not a number"),
    ("1,200e3", False, "not a number"),
    ("5.", False, "not a number"),
    (".", False, "not a number"),
    ("e5", False, "not a number"),
    ("1e", False, "not a number"),
    ("１２００", False, "not a number"),
    ("١٢", False, "not a number"),
    ("--5", False, "more than one sign"),
    ("+-5", False, "more than one sign"),
    ("-5-", False, "more than one sign"),
    ("-(5)", False, "not a number"),
    ("(-5)", False, "more than one sign"),
    ("$12 EUR", False, "currency twice"),
    ("EUR 12 USD", False, "currency twice"),
    ("$$12", False, "currency twice"),
    ("(12", False, "not a number"),
    ("12)", False, "not a number"),
    ("()", False, "not a number"),
    ("eur 12", False, "not a number"),
    ("EURO 12", False, "not a number"),
    ("US$12", False, "not a number"),
    ("12 EU", False, "not a number"),
    ("1" * 101, False, "longer than 100"),
    ("10000000000000000000000000", False, "outside the supported range"),
    ("1e25", False, "outside the supported range"),
    ("1e999999", False, "outside the supported range"),
    ("0.0000000000000000001", False, "outside the supported range"),
    ("1.00000000000000000000000000001", False, "outside the supported range"),
    (10**25, False, "outside the supported range"),
    (10**5000, False, "outside the supported range"),
    (-(10**5000), False, "outside the supported range"),
    (Decimal("1e-19"), False, "outside the supported range"),
    (Decimal("1e999999999"), False, "outside the supported range"),
    (1e300, False, "outside the supported range"),
    (5e-324, False, "outside the supported range"),
]


@pytest.mark.parametrize("value, decimal_comma, words", REFUSED,
                         ids=[brief(v, 30) + ("-dc" if dc else "") for v, dc, _ in REFUSED])
def test_refused_amounts_are_none_with_a_warning(value, decimal_comma, words):
    amount, warning = parse_amount(value, decimal_comma)
    assert amount is None
    assert warning is not None and warning.startswith("amount")
    assert words in warning
    assert len(warning) < 200


def test_zero_is_plain_zero_whatever_its_sign_or_exponent():
    for value in ("-0", "-0.00", "0e5", Decimal("-0E-7"), -0.0, "(0)", "EUR -0,00"):
        amount, _ = parse_amount(value, decimal_comma=isinstance(value, str) and "," in value)
        assert amount == 0 and amount_text(amount) == "0"


def test_amounts_keep_every_digit():
    amount, _ = parse_amount("123456789012345678.123456789012345678")
    assert str(amount) == "123456789012345678.123456789012345678"


def test_subclasses_read_as_their_base_type():
    class Text(str):
        pass

    class Number(int):
        pass

    assert parse_amount(Text("$5")) == (Decimal(5), None)
    assert parse_amount(Number(5)) == (Decimal(5), None)


# The fast paths must agree with the careful reading on every text they accept.
FAST_FORMS = ["1200", "-1200.50", "0", "-0", "1,200.50", "-$1,200.50", "$1200", "1200 EUR", "1200EUR",
              "12 €", "1.200,50 EUR", "1.200,50", "1200,5", "-1.234.567,891 €", "999,999,999,999,999,999,999,999.5"]


@pytest.mark.parametrize("text", FAST_FORMS)
@pytest.mark.parametrize("decimal_comma", [False, True], ids=["dot", "comma"])
def test_fast_paths_agree_with_the_careful_reading(text, decimal_comma):
    assert parse_amount(text, decimal_comma) == _parse_text(text, decimal_comma)
