"""Lowering a `LinearProgram` to Pyomo and compiling it back to arrays for HiGHS.

Two Pyomo routes, both ending in highspy's numpy `passModel` (so the warm start can hand HiGHS
a basis, which no Pyomo HiGHS interface exposes):

``pyomo`` (the default): a `pyomo.kernel` block. Columns are kernel `variable_list`s; each row
block is one kernel `matrix_constraint`, Pyomo's CSR-backed linear constraint container, which
takes the coefficient matrix as a scipy sparse matrix: no Pyomo expression is built for the
millions of payoff terms. The objective is a `LinearExpression`. Compiling reads everything
back from the Pyomo objects in bulk: each matrix constraint's stored CSR matrix, bound arrays and
variable tuple (mapped to column positions), the variables' bounds and domains, and the
objective through Pyomo's `generate_standard_repn`; rows written as ordinary kernel
`constraint`s are read through `generate_standard_repn`. The model is a genuine Pyomo model:
`model.write("lp.lp")` gives Pyomo's own LP file, which a test feeds to HiGHS to check the bulk
compile against Pyomo's writer.

``pyomo-aml``: a `ConcreteModel` with one `LinearExpression` per row (built with the garbage
collector paused) compiled by Pyomo's `LinearStandardFormCompiler`. Its expression walk visits
every nonzero in Python (~1 us each: 1.1 s of 1.9 s at 100 regions, 1M nonzeros), which is why
it is no longer the default. The AML `MatrixConstraint` would avoid the walk, but in pyomo 6.10
it breaks both the standard-form compiler and `pprint`.

Measured with `python benchmarks/lp_scaling.py` (module docstring of solvers/lp/zero_sum_solve.py
for the rule on which LP to solve first).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from gamespec.solvers.lp.linear_program import Block, LinearProgram


@dataclass(eq=False)
class PyomoLP:
    """A Pyomo model of a `LinearProgram` plus its columns (and AML rows) in the LP's order."""

    model: Any
    columns: list[Any]
    rows: list[Any]


def _finite_or_none(values: np.ndarray) -> list[float | None]:
    """Bounds as Pyomo wants them: floats, with None for an infinite bound."""
    return [v if math.isfinite(v) else None for v in np.asarray(values, dtype=float).tolist()]


def _integer_columns(lp: LinearProgram) -> list[bool]:
    ncol = lp.A.shape[1]
    if lp.integrality is None:
        return [False] * ncol
    return (np.asarray(lp.integrality) != 0).tolist()


def _attribute_name(container: Any, name: str) -> str:
    """`name`, suffixed until it does not shadow an attribute of the Pyomo container."""
    while hasattr(container, name):
        name += "_"
    return name


# ----------------------------------------------------------------------------------------------
# pyomo.kernel with matrix constraints (the default route)
# ----------------------------------------------------------------------------------------------


def build_kernel_model(lp: LinearProgram) -> PyomoLP:
    """`lp` as a pyomo.kernel block: variable lists, one matrix_constraint per row block."""
    import pyomo.kernel as pmo
    from pyomo.common.gc_manager import PauseGC
    from pyomo.core.expr.numeric_expr import LinearExpression

    model = pmo.block()
    model.variables = pmo.block()
    model.constraints = pmo.block()
    columns: list[Any] = []
    lows, highs = _finite_or_none(lp.col_lower), _finite_or_none(lp.col_upper)
    integer = _integer_columns(lp)
    with PauseGC():
        for blk in lp.col_blocks:
            s = blk.slice
            variables = pmo.variable_list(
                pmo.variable(lb=lo, ub=hi, domain_type=pmo.IntegerSet if is_int else pmo.RealSet)
                for lo, hi, is_int in zip(lows[s], highs[s], integer[s]))
            setattr(model.variables, _attribute_name(model.variables, blk.name), variables)
            columns.extend(variables)
        csr = sp.csr_array(lp.A)
        for blk in lp.row_blocks:
            if blk.size == 0:
                continue
            s = blk.slice
            rows = pmo.matrix_constraint(csr[s], lb=lp.row_lower[s], ub=lp.row_upper[s],
                                         x=columns)
            setattr(model.constraints, _attribute_name(model.constraints, blk.name), rows)
        nz = np.flatnonzero(lp.c).tolist()
        objective = LinearExpression(linear_coefs=[float(lp.c[j]) for j in nz],
                                     linear_vars=[columns[j] for j in nz])
        model.objective = pmo.objective(objective,
                                        sense=pmo.maximize if lp.maximize else pmo.minimize)
    return PyomoLP(model, columns, [])


def _matrix_rows(con: Any, col_pos: dict[int, int]) -> tuple[sp.csr_array, np.ndarray,
                                                             np.ndarray]:
    """A kernel matrix_constraint's rows in bulk: CSR with columns mapped, lower, upper."""
    A = con.A
    x_cols = np.fromiter((col_pos[id(v)] for v in con.x), dtype=np.int64, count=len(con.x))
    mapped = sp.csr_array((A.data, x_cols[A.indices], A.indptr),
                          shape=(A.shape[0], len(col_pos)))
    lower = np.where(np.isfinite(con.lb), con.lb, -np.inf).astype(float)
    upper = np.where(np.isfinite(con.ub), con.ub, np.inf).astype(float)
    return mapped, lower, upper


def _expression_rows(cons: list[Any], col_pos: dict[int, int]) -> tuple[sp.csr_array,
                                                                       np.ndarray, np.ndarray]:
    """Ordinary kernel constraints, one standard repn per row (for the few written so)."""
    from pyomo.repn import generate_standard_repn

    indptr, indices, data = [0], [], []
    lower, upper = [], []
    for con in cons:
        repn = generate_standard_repn(con.body, compute_values=True)
        if not repn.is_linear():
            raise ValueError(f"constraint {con.name} is not linear")
        indices.extend(col_pos[id(v)] for v in repn.linear_vars)
        data.extend(float(c) for c in repn.linear_coefs)
        indptr.append(len(indices))
        shift = float(repn.constant or 0.0)
        lower.append(-np.inf if con.lb is None else float(con.lb) - shift)
        upper.append(np.inf if con.ub is None else float(con.ub) - shift)
    A = sp.csr_array((np.array(data, dtype=float), np.array(indices, dtype=np.int64),
                      np.array(indptr, dtype=np.int64)), shape=(len(cons), len(col_pos)))
    return A, np.array(lower, dtype=float), np.array(upper, dtype=float)


def compile_kernel_model(plp: PyomoLP, template: LinearProgram) -> LinearProgram:
    """Arrays of a kernel model in `template`'s layout, read from the Pyomo objects in bulk."""
    import pyomo.kernel as pmo
    from pyomo.core.kernel.constraint import IConstraint
    from pyomo.core.kernel.matrix_constraint import matrix_constraint
    from pyomo.core.kernel.objective import IObjective
    from pyomo.repn import generate_standard_repn

    col_pos = {id(v): k for k, v in enumerate(plp.columns)}
    pieces: list[tuple[sp.csr_array, np.ndarray, np.ndarray]] = []
    pending: list[Any] = []
    for con in plp.model.constraints.children(ctype=IConstraint):
        if isinstance(con, matrix_constraint):
            if pending:
                pieces.append(_expression_rows(pending, col_pos))
                pending = []
            pieces.append(_matrix_rows(con, col_pos))
        elif hasattr(con, "body"):
            pending.append(con)
        else:
            pending.extend(con.components())
    if pending:
        pieces.append(_expression_rows(pending, col_pos))
    nrow, ncol = template.A.shape
    if sum(p[0].shape[0] for p in pieces) != nrow:
        raise ValueError("the Pyomo model's rows do not match the template's layout")
    A = sp.csc_array(sp.vstack([p[0] for p in pieces], format="csc")) if pieces else (
        sp.csc_array((nrow, ncol)))
    row_lower = np.concatenate([p[1] for p in pieces]) if pieces else np.zeros(0)
    row_upper = np.concatenate([p[2] for p in pieces]) if pieces else np.zeros(0)

    objective = next(iter(plp.model.components(ctype=IObjective)))
    repn = generate_standard_repn(objective.expr, compute_values=True)
    c = np.zeros(ncol)
    for v, coef in zip(repn.linear_vars, repn.linear_coefs):
        c[col_pos[id(v)]] += float(coef)
    col_lower = np.array([-np.inf if v.lb is None else v.lb for v in plp.columns], dtype=float)
    col_upper = np.array([np.inf if v.ub is None else v.ub for v in plp.columns], dtype=float)
    integral = np.array([v.is_integer() for v in plp.columns], dtype=np.int32)
    return LinearProgram(
        A=A, c=c, col_lower=col_lower, col_upper=col_upper, row_lower=row_lower,
        row_upper=row_upper, maximize=(objective.sense == pmo.maximize),
        col_blocks=template.col_blocks, row_blocks=template.row_blocks,
        integrality=integral if integral.any() else None, name=template.name,
    )


# ----------------------------------------------------------------------------------------------
# ConcreteModel + LinearStandardFormCompiler (kept for comparison: `route="pyomo-aml"`)
# ----------------------------------------------------------------------------------------------


def _pyomo_index(block: Block) -> list[Any]:
    """Index list of a block: its labels, a range, or tuples in row-major order."""
    if block.labels is not None:
        return list(block.labels)
    if len(block.shape) == 1:
        return list(range(block.shape[0]))
    return list(itertools.product(*(range(n) for n in block.shape)))


def build_aml_model(lp: LinearProgram) -> PyomoLP:
    """`lp` as a ConcreteModel: one Var per column block, one Constraint per row block.

    Rows are `LinearExpression`s made from the CSR arrays (no per-term arithmetic on Pyomo
    objects) while the garbage collector is paused: the AML's fastest way to declare them.
    """
    import pyomo.environ as pyo
    from pyomo.common.gc_manager import PauseGC
    from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

    integer = _integer_columns(lp)
    with PauseGC():
        m = pyo.ConcreteModel(name=lp.name)
        columns: list[Any] = []
        for blk in lp.col_blocks:
            var = pyo.Var(_pyomo_index(blk), dense=True, within=pyo.Reals)
            m.add_component(blk.name, var)
            columns.extend(var.values())
        lows, highs = _finite_or_none(lp.col_lower), _finite_or_none(lp.col_upper)
        for v, lo, hi, is_int in zip(columns, lows, highs, integer):
            if is_int:
                v.domain = pyo.Integers
            v.setlb(lo)
            v.setub(hi)
        csr = lp.A.tocsr()
        indptr, data = csr.indptr.tolist(), csr.data.tolist()
        terms = [columns[j] for j in csr.indices.tolist()]
        row_lo, row_hi = _finite_or_none(lp.row_lower), _finite_or_none(lp.row_upper)

        def row(i: int) -> tuple[Any, Any, Any]:
            lo, hi = indptr[i], indptr[i + 1]
            body = LinearExpression(
                list(map(MonomialTermExpression, zip(data[lo:hi], terms[lo:hi]))))
            return (row_lo[i], body, row_hi[i])

        rows: list[Any] = []
        for blk in lp.row_blocks:
            index = _pyomo_index(blk)
            bodies = {key: row(blk.start + k) for k, key in enumerate(index)}
            con = pyo.Constraint(index, rule=lambda _m, *key, b=bodies: b[
                key[0] if len(key) == 1 else key])
            m.add_component(blk.name, con)
            rows.extend(con[key] for key in index)
        nz = np.flatnonzero(lp.c)
        objective = LinearExpression(
            [MonomialTermExpression((float(lp.c[j]), columns[j])) for j in nz.tolist()])
        m.objective = pyo.Objective(expr=objective,
                                    sense=pyo.maximize if lp.maximize else pyo.minimize)
    return PyomoLP(m, columns, rows)


def compile_aml_model(plp: PyomoLP, template: LinearProgram) -> LinearProgram:
    """Compile a ConcreteModel with LinearStandardFormCompiler back to arrays in `template`'s order.

    Coefficients, bounds, objective and integrality are all read from what Pyomo compiled;
    `template` only supplies the block layout (names and shapes) and the row/column order.
    """
    import pyomo.environ as pyo
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    info = LinearStandardFormCompiler().write(
        plp.model, mixed_form=True, set_sense=None, column_order=plp.columns)
    ncol, nrow = len(plp.columns), len(plp.rows)
    col_pos = {id(v): k for k, v in enumerate(plp.columns)}
    row_pos = {id(c): i for i, c in enumerate(plp.rows)}
    col_map = np.fromiter((col_pos[id(v)] for v in info.columns), dtype=np.int64,
                          count=len(info.columns))
    row_lower, row_upper = np.full(nrow, -np.inf), np.full(nrow, np.inf)
    row_map = np.empty(len(info.rows), dtype=np.int64)
    keep = np.ones(len(info.rows), dtype=bool)
    seen: set[int] = set()
    for k, (con, bound_type) in enumerate(info.rows):
        i = row_pos[id(con)]
        row_map[k] = i
        rhs = float(info.rhs[k])
        if bound_type >= 0:
            row_upper[i] = rhs
        if bound_type <= 0:
            row_lower[i] = rhs
        keep[k] = i not in seen  # a ranged row compiles to two rows with the same body
        seen.add(i)
    A = sp.csc_array(info.A)
    identity = (len(col_map) == ncol and np.array_equal(col_map, np.arange(ncol))
                and len(row_map) == nrow and np.array_equal(row_map, np.arange(nrow)))
    if not identity:
        coo = A.tocoo()
        mask = keep[coo.row]
        A = sp.csc_array((coo.data[mask], (row_map[coo.row[mask]], col_map[coo.col[mask]])),
                         shape=(nrow, ncol))
    c = np.zeros(ncol)
    c[col_map] = np.asarray(info.c.todense()).ravel()[: len(col_map)]
    col_lower = np.array([-np.inf if v.lb is None else v.lb for v in plp.columns], dtype=float)
    col_upper = np.array([np.inf if v.ub is None else v.ub for v in plp.columns], dtype=float)
    integral = np.array([v.is_integer() for v in plp.columns], dtype=np.int32)
    sense = info.objectives[0].sense if info.objectives else pyo.minimize
    return LinearProgram(
        A=A, c=c, col_lower=col_lower, col_upper=col_upper, row_lower=row_lower,
        row_upper=row_upper, maximize=(sense == pyo.maximize),
        col_blocks=template.col_blocks, row_blocks=template.row_blocks,
        integrality=integral if integral.any() else None, name=template.name,
    )


# ----------------------------------------------------------------------------------------------
# Route dispatch
# ----------------------------------------------------------------------------------------------

PYOMO_ROUTES = ("pyomo", "pyomo-aml")


def through_pyomo(lp: LinearProgram, route: str) -> LinearProgram:
    """`lp` declared as a Pyomo model on `route` and compiled back; the model is then dropped."""
    if route == "pyomo":
        return compile_kernel_model(build_kernel_model(lp), lp)
    if route == "pyomo-aml":
        return compile_aml_model(build_aml_model(lp), lp)
    raise ValueError(f"not a Pyomo route: {route!r}")
