"""Exact amounts: CE hours, credits, scores and cut scores as ``Decimal``, never binary floats.

A registrar is audited on "20 of 20 hours", so a sum of tenths must come out as exactly 20,
not 19.999999999999996. Amounts enter as text (YAML scalars, API strings, CLI options) or as
integers; a float that still arrives (an old JSON column, a caller's literal) is read through
its shortest repr, which gives back the decimal it was written as for every amount within the
bounds below (at most 15 significant digits).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = [
    "ZERO",
    "AmountError",
    "exact",
    "json_number",
    "parse_amount",
    "show",
]

ZERO = Decimal(0)
# Plain digits are written for amounts within Decimal's default precision (28 digits) either
# side of the point; beyond it (no bound allows such an amount) quantize cannot write them, and
# 1e999999 would be a megabyte of digits, so they are shown in exponent form.
_PLAIN_DIGITS = 28


class AmountError(ValueError):
    """An amount that is not a finite number, or outside what its meaning allows."""


def exact(value: object) -> Decimal:
    """``value`` as a ``Decimal`` without float noise (``0.1`` stays ``0.1``)."""
    if type(value) is Decimal:
        return value
    if isinstance(value, bool):
        raise AmountError(f"expected a number, not {str(value).lower()}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal | str):
        try:
            return Decimal(value)
        except InvalidOperation:
            raise AmountError(f"{value!r} is not a number") from None
    raise AmountError(f"expected a number, not {type(value).__name__}")


def parse_amount(value: object, *, places: int, maximum: int, what: str = "amount") -> Decimal:
    """An amount checked against its meaning: finite, not negative, at most ``places`` decimal
    places and at most ``maximum``. Raises ``AmountError`` with a sentence a person can act on.
    """
    amount = exact(value.strip() if isinstance(value, str) else value)
    if not amount.is_finite():
        raise AmountError(f"{what} must be a finite number, not {show_raw(value)}")
    if amount < 0:
        raise AmountError(f"{what} cannot be negative ({show(amount)})")
    if amount > maximum:
        raise AmountError(f"{what} must be at most {maximum}, not {show(amount)}")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        unit = "decimal place" if places == 1 else "decimal places"
        whole = "a whole number" if places == 0 else f"at most {places} {unit}"
        raise AmountError(f"{what} must have {whole}, not {show(amount)}")
    return amount + ZERO  # normalises -0 to 0


def show_raw(value: object) -> str:
    return value if isinstance(value, str) else repr(value)


def json_number(amount: Decimal | int) -> int | float:
    """An amount for JSON, which has only numbers: whole amounts as integers, others as the
    float whose shortest text is the amount itself (``19.5``), so the JSON text is exact."""
    if isinstance(amount, int) or amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def show(amount: Decimal | int) -> str:
    """Plain digits without exponent or trailing zeros: ``20``, ``19.5``, ``0.25``."""
    if isinstance(amount, int):
        return str(amount)
    if amount and not -_PLAIN_DIGITS <= amount.adjusted() < _PLAIN_DIGITS:
        return str(amount.normalize())
    if amount == amount.to_integral_value():
        return str(amount.quantize(Decimal(1)) + ZERO)
    return format(amount.normalize(), "f")
