"""One way to show a number in terminal output: integers as integers, exact rationals as
fractions (when the Result has them), every other number with 6 significant digits."""
from __future__ import annotations

import math
import numbers
import re

DIGITS = 6
_RATIONAL = re.compile(r"-?\d+(/\d+)?")
_MAX_EXACT = 15  # longer fractions (many digits) are shown as their 6-digit float
_WHOLE = 15  # a float below 10^15 in size is written without an exponent


def number(value, exact: str | None = None) -> str:
    """`value` as shown in a table: `exact` when it is a short integer or fraction, else
    the value (a bool as yes/no, an integer in full, a float with 6 significant digits,
    without an exponent below 10^15: a whole float in full, 1234567.891 as 1234570);
    anything that is not a number as its text."""
    if isinstance(exact, str) and _RATIONAL.fullmatch(exact.strip()) \
            and len(exact.strip()) <= _MAX_EXACT:
        return exact.strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            return str(value)
        if value == 0:
            return "0"  # also -0.0
        if value.is_integer() and abs(value) < 10 ** _WHOLE:
            return str(int(value))
        shown = float(f"{value:.{DIGITS}g}")
        if 10 ** DIGITS <= abs(shown) < 10 ** _WHOLE:  # 1234567.891: 1234570, not 1.23457e+06
            return str(int(shown))
        return f"{value:.{DIGITS}g}"
    if value is None:
        return "-"
    return str(value)


def is_number(value) -> bool:
    """A real number (a bool is not one here)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def numeric_key(key) -> float | None:
    """The number a mapping key names (`"12"`, `3`, `"0.5"`), or None."""
    if is_number(key):
        return float(key)
    if isinstance(key, str):
        try:
            return float(key)
        except ValueError:
            return None
    return None
