"""Numeric contexts for evaluating Model expressions (parameters, data, sets, lets)."""
from __future__ import annotations

from gamespec.evaluate import Context, LArray, Table
from gamespec.model import Model


def functions_for_context() -> dict:
    """Standard-library functions that evaluate on labelled arrays, by SymPy class name."""
    from gamespec.stdlib.functions import NUMERIC_FUNCTIONS

    return dict(NUMERIC_FUNCTIONS)


def base_context(model: Model) -> Context:
    """Everything a Model's expressions may refer to, except strategy variables."""
    ctx = Context()
    for param in model.params.values():
        if param.index_sets:
            ctx.tables[param.name] = Table(param.array, param.index_sets)
        elif param.value is not None:
            ctx.scalars[param.symbol] = LArray.scalar(param.value)
    for key, (_, rows, values) in model.columns.items():
        ctx.tables[key] = Table(values, (rows,))
    ctx.sets = dict(model.sets)
    ctx.elements = {e: e for e in model.elements}
    ctx.lets = dict(model.lets)
    ctx.functions = functions_for_context()
    return ctx
