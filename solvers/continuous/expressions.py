"""SymPy payloads to NumPy: parameter values substituted, expressions compiled once and
evaluated in bulk (broadcast over grids and batches of opponent states).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from gamespec.errors import SolverError
from gamespec.lowering import to_numpy

Values = Mapping[Any, float]  # Symbol (or its name) -> number


def symbol_values(values: Values | None, symbols: set) -> dict[sympy.Symbol, float]:
    """Map a {Symbol or name: number} dict onto the given symbols (others ignored)."""
    if not values:
        return {}
    by_name = {s.name: s for s in symbols}
    out: dict[sympy.Symbol, float] = {}
    for key, value in values.items():
        sym = by_name.get(key) if isinstance(key, str) else key
        if sym is not None and sym in symbols:
            out[sym] = float(value)
    return out


def as_expr(value: Any) -> sympy.Basic:
    """A number or SymPy object as a SymPy object (never parses text)."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("a truth value is not a number here")
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    if isinstance(value, (float, np.floating)):
        return sympy.Float(float(value))
    raise TypeError(f"expected a number or a SymPy expression, got {type(value).__name__}")


def substitute(expr: sympy.Basic, values: Values | None) -> sympy.Basic:
    """Replace parameter symbols (or names) by their numeric values."""
    expr = as_expr(expr)
    table = symbol_values(values, expr.free_symbols)
    return expr.xreplace({s: sympy.Float(v) for s, v in table.items()})


def as_number(bound: Any, params: Values | None = None) -> float:
    """A bound (number or SymPy expression in parameters) as a float."""
    if isinstance(bound, (int, float, np.floating, np.integer)):
        return float(bound)
    value = substitute(bound, params)
    if value.free_symbols:
        names = ", ".join(sorted(s.name for s in value.free_symbols))
        raise SolverError(f"a bound depends on {names}, which has no value",
                          hint="give the parameter a value (param X = ... or --set X=...)")
    return float(value)


def compile_expr(args: Sequence[sympy.Symbol], expr: sympy.Basic) -> Callable:
    """expr as a NumPy function of args, through the one lowering (gamespec.lowering):
    standard-library functions included; raises LoweringError when NumPy cannot say it."""
    return to_numpy(args, expr)


def evaluate_compiled(fn: Callable, x: Any, args: Sequence[Any]) -> np.ndarray:
    """fn(x, *args) as a new float array broadcast over all inputs; warnings silenced."""
    inputs = [np.asarray(x, float)] + [np.asarray(a, float) for a in args]  # 0**-0.5 is inf
    with np.errstate(all="ignore"):
        out = np.asarray(fn(*inputs))
        if np.iscomplexobj(out):
            out = np.where(np.abs(out.imag) <= 1e-12 * (1 + np.abs(out.real)), out.real, np.nan)
        shape = np.broadcast_shapes(*(a.shape for a in inputs))
        if out.shape == shape and out.dtype == np.float64 and _fresh(out, inputs):
            return out  # already a new array of the right shape: no copies of a large grid
        return np.broadcast_to(out.astype(float), shape).copy()


def _fresh(out: np.ndarray, inputs: Sequence[np.ndarray]) -> bool:
    """Whether `out` is a writeable array of its own, sharing no memory with the inputs
    (a function may return an argument itself)."""
    return (out.flags.owndata and out.flags.writeable
            and not any(np.may_share_memory(out, a) for a in inputs))


def worst_if_undefined(values: np.ndarray) -> np.ndarray:
    """NaN (undefined) payoffs become -inf so that they never win a comparison."""
    return np.where(np.isnan(values), -np.inf, values)


def check_free(expr: sympy.Basic, allowed: Sequence[sympy.Symbol], what: str) -> None:
    extra = expr.free_symbols - set(allowed)
    if extra:
        names = ", ".join(sorted(s.name for s in extra))
        raise SolverError(
            f"{what} depends on {names}, which has no value here",
            hint="give every parameter a value, and list the other players' variables",
        )


def all_symbols(*items: Any) -> set:
    out: set = set()
    for item in items:
        if isinstance(item, sympy.Basic):
            out |= item.free_symbols
    return out


def broadcast_args(arg_values: Sequence[Any]) -> list[np.ndarray]:
    if not arg_values:
        return []
    arrays = [np.atleast_1d(np.asarray(a, float)) for a in arg_values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return [np.broadcast_to(a, shape).ravel().copy() for a in arrays]
