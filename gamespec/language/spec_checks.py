"""Checks on built parts of a spec that would otherwise fail deep inside a solver."""
from __future__ import annotations

import math
import numbers

from gamespec.errors import Span, SpecError


def _whole(element) -> int | None:
    """The element as an int when it is a whole number (int, Integer, 3.0), else None."""
    if type(element) is int:  # the common case first: a range's 2,000,000 elements
        return element
    if isinstance(element, bool) or isinstance(element, str):
        return None
    if getattr(element, "is_Integer", False):
        return int(element)
    if isinstance(element, numbers.Real) and float(element).is_integer():
        return int(element)
    return None


def check_rounds(elements, span: Span | None) -> tuple[int, ...]:
    """Update rules step from round i to i + 1: their rounds are consecutive whole numbers."""
    elements = tuple(elements)
    if elements and type(elements[0]) is int and \
            elements == tuple(range(elements[0], elements[0] + len(elements))):
        return elements  # a range lo..hi, compared at C speed (up to 2,000,000 rounds)
    values = [_whole(e) for e in elements]
    shown = ", ".join(str(e) for e in list(elements)[:5]) + (", ..." if len(elements) > 5 else "")
    if not values or None in values:
        raise SpecError(f"update rules run over whole numbers (rounds such as 1..20), "
                        f"not {{{shown}}}", span=span,
                        hint="index the rounds by a range lo..hi")
    if sorted(values) != list(range(min(values), min(values) + len(values))):
        raise SpecError(f"update rules need consecutive rounds (each i + 1 follows i), "
                        f"not {{{shown}}}", span=span, hint="index the rounds by a range lo..hi")
    return tuple(values)


def check_distinct(elements, before, span: Span | None) -> None:
    """A set computed from another (`{1, 2, 3} * k`) keeps its elements finite and distinct:
    a zero or underflowing factor would merge them, an overflowing one make them infinite."""
    bad = next((e for e in elements if isinstance(e, float) and not math.isfinite(e)), None)
    if bad is not None:
        raise SpecError(f"this set has an element that is not a finite number ({bad})",
                        span=span)
    seen: dict = {}
    for element, source in zip(elements, before):
        if element in seen:
            raise SpecError(f"this set has the element {element} twice (from {seen[element]} "
                            f"and {source})", span=span,
                            hint="a set's elements are distinct: scale by a factor that "
                            "keeps them apart")
        seen[element] = source


def check_span(domain, values: dict, span: Span | None) -> None:
    """An integration interval [t0, t1] whose ends are numbers at the given parameters must
    have t1 > t0."""
    low, high = getattr(domain, "low", None), getattr(domain, "high", None)
    if low is None or high is None:
        return
    low, high = low.xreplace(values), high.xreplace(values)
    if low.is_number and high.is_number and not float(high) > float(low):
        raise SpecError(f"empty integration span [{float(low):g}, {float(high):g}]: the end "
                        "must come after the start", span=span)
