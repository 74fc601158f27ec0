"""Standard-library functions callable from specs: their SymPy constructors (for building
the Model) and their NumPy implementations on labelled arrays (for evaluation)."""
from __future__ import annotations

import sympy

# name in the spec -> (arity, SymPy constructor)
SYMBOLIC_FUNCTIONS: dict = {}
# SymPy function class name -> callable(ctx, expr, evaluated_args) -> LArray
NUMERIC_FUNCTIONS: dict = {}


def register(name: str, arity: int, numeric) -> None:
    """Add a function under `name`: an undefined SymPy function evaluated by `numeric`."""
    cls = sympy.Function(name)
    SYMBOLIC_FUNCTIONS[name] = (arity, cls)
    NUMERIC_FUNCTIONS[name] = numeric
