"""Euler–Lagrange backend: equations of motion from a Lagrangian, normal modes of linear
systems, numerical integration, and certificates for the numerical solution.

Coordinates are applied undefined functions ``q(t)`` of one index symbol ``t`` (the round
``r`` of an infinite repeated game, time in mechanics).  The Lagrangian is a SymPy
expression in the coordinates, their first derivatives and ``t``.  SymPy builds and checks;
numbers go through ``lambdify``-ed NumPy code (never per-element ``subs``).

Certificates of a numerical solution (``integrate``) are computed independently of the
right-hand side used to integrate: the Euler–Lagrange residual of the *unsolved* equations
evaluated on the dense output with finite-difference derivatives, the drift of the energy
``H = sum_i q_i' dL/dq_i' - L`` when ``L`` has no explicit ``t``, and the deviation from the
modal closed form when the system is linear with constant coefficients.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp
from sympy.calculus.euler import euler_equations
from sympy.core.function import AppliedUndef
from sympy.solvers.solveset import NonlinearError

from gamespec.errors import SolverError, SpecError
from gamespec.result import Certificate  # the one certificate type

if TYPE_CHECKING:
    from scipy.integrate import OdeSolution

__all__ = [
    "Certificate",
    "EquationsOfMotion",
    "NormalModes",
    "Trajectory",
    "VariantReport",
    "check_variant",
    "derive_equations",
    "integrate",
    "linear_normal_modes",
]

Coordinate = sp.Expr  # an applied undefined function such as Function("u_a")(t)
InitialValues = Mapping[object, tuple[float, float]]  # coordinate (or its name) -> (q0, q0')

_METHODS = ("RK45", "DOP853", "Radau", "LSODA")  # scipy.integrate's solvers, by name


# --------------------------------------------------------------------------- state symbols
@dataclass(frozen=True)
class _State:
    """Plain symbols standing for q_i, q_i' and q_i'' so that expressions can be lambdified."""

    coords: tuple[Coordinate, ...]
    t: sp.Symbol
    q: tuple[sp.Symbol, ...]
    v: tuple[sp.Symbol, ...]
    a: tuple[sp.Symbol, ...]

    @classmethod
    def of(cls, coords: Sequence[Coordinate], t: sp.Symbol) -> _State:
        names = [_name(c) for c in coords]
        return cls(
            coords=tuple(coords),
            t=t,
            q=tuple(sp.Dummy(n) for n in names),
            v=tuple(sp.Dummy(f"{n}_dot") for n in names),
            a=tuple(sp.Dummy(f"{n}_ddot") for n in names),
        )

    def to_symbols(self, expr: sp.Expr) -> sp.Expr:
        """Replace q'', q', q (in that order) by plain symbols; reject anything else."""
        t = self.t
        expr = _as_expr(expr)
        expr = expr.xreplace({sp.Derivative(c, (t, 2)): a for c, a in zip(self.coords, self.a)})
        expr = expr.xreplace({sp.Derivative(c, t): v for c, v in zip(self.coords, self.v)})
        expr = expr.xreplace(dict(zip(self.coords, self.q)))
        leftover = expr.atoms(sp.Derivative) | expr.atoms(AppliedUndef)
        if leftover:
            raise SpecError(
                f"unexpected term {min(map(str, leftover))} in a dynamics expression",
                hint="a Lagrangian may use only the coordinates, their first derivatives "
                "and the index; equations only up to second derivatives",
            )
        return expr

    def to_functions(self, expr: sp.Expr) -> sp.Expr:
        """Inverse of `to_symbols`: back to q(t), q'(t), q''(t)."""
        t = self.t
        back = {q: c for q, c in zip(self.q, self.coords)}
        back.update({v: sp.Derivative(c, t) for v, c in zip(self.v, self.coords)})
        back.update({a: sp.Derivative(c, (t, 2)) for a, c in zip(self.a, self.coords)})
        return expr.xreplace(back)


def _name(coord: Coordinate) -> str:
    return coord.func.__name__


def _as_expr(value: object) -> sp.Expr:
    """A SymPy object for a SymPy object or a Python number (no string parsing, ever)."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"expected a number or a SymPy expression, got {value!r}")
    return sp.Integer(value) if isinstance(value, int) else sp.Float(value)


def _check_coordinates(coords: Sequence[Coordinate], t: sp.Symbol) -> tuple[Coordinate, ...]:
    """Coordinates must be distinct applied functions of the index symbol alone."""
    if not isinstance(t, sp.Symbol):
        raise SpecError(f"the index of a dynamics block must be a symbol, got {t}")
    coords = tuple(coords)
    if not coords:
        raise SpecError("a dynamics block needs at least one coordinate")
    for c in coords:
        if not (isinstance(c, AppliedUndef) and c.args == (t,)):
            raise SpecError(f"coordinate {c} is not a function of the index {t} alone")
    if len(set(coords)) != len(coords):
        raise SpecError("coordinates must be distinct")
    return coords


def _lhs_minus_rhs(eq: sp.Expr | sp.Eq) -> sp.Expr:
    return eq.lhs - eq.rhs if isinstance(eq, sp.Equality) else eq


def _is_zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


# --------------------------------------------------------------------------- derivation
@dataclass(frozen=True)
class EquationsOfMotion:
    """Euler–Lagrange equations of a Lagrangian, and the accelerations they determine."""

    lagrangian: sp.Expr | None
    coords: tuple[Coordinate, ...]
    t: sp.Symbol
    equations: tuple[sp.Eq, ...]
    accelerations: tuple[sp.Expr, ...] | None  # q_i'' per coordinate; None if singular

    def explicit(self) -> tuple[sp.Eq, ...]:
        """The equations solved for the second derivatives, q_i'' = f_i(q, q', t)."""
        if self.accelerations is None:
            raise SolverError(
                "the equations cannot be solved for the second derivatives",
                hint="the Hessian of L in the velocities is singular (degenerate Lagrangian)",
            )
        return tuple(
            sp.Eq(sp.Derivative(c, (self.t, 2)), a)
            for c, a in zip(self.coords, self.accelerations)
        )

    def energy(self) -> sp.Expr | None:
        """H = sum_i q_i' dL/dq_i' - L, conserved when L has no explicit t; else None."""
        if self.lagrangian is None:
            return None
        state = _State.of(self.coords, self.t)
        lag = state.to_symbols(self.lagrangian)
        if not _is_zero(sp.diff(lag, self.t)):
            return None
        ham = sum(v * sp.diff(lag, v) for v in state.v) - lag
        return state.to_functions(sp.simplify(ham))


def derive_equations(
    lagrangian: sp.Expr, coords: Sequence[Coordinate], t: sp.Symbol
) -> EquationsOfMotion:
    """Euler–Lagrange equations dL/dq - d/dt dL/dq' = 0, solved for q'' when possible."""
    coords = _check_coordinates(coords, t)
    state = _State.of(coords, t)
    state.to_symbols(lagrangian)  # validates: only q, q', t may appear
    equations = tuple(euler_equations(lagrangian, list(coords), t))
    return EquationsOfMotion(
        lagrangian=lagrangian,
        coords=coords,
        t=t,
        equations=equations,
        accelerations=_solve_accelerations(equations, state),
    )


def _solve_accelerations(
    equations: Sequence[sp.Expr | sp.Eq], state: _State
) -> tuple[sp.Expr, ...] | None:
    """Solve equations that are linear in the second derivatives; None if singular."""
    exprs = [state.to_symbols(_lhs_minus_rhs(e)) for e in equations]
    if len(exprs) != len(state.a):
        raise SpecError(f"{len(exprs)} equations for {len(state.a)} coordinates")
    try:
        matrix, rhs = sp.linear_eq_to_matrix(exprs, list(state.a))
    except NonlinearError:
        return None
    if _is_zero(matrix.det()):
        return None
    solution = matrix.LUsolve(rhs)
    return tuple(state.to_functions(sp.simplify(s)) for s in solution)


# --------------------------------------------------------------------------- normal modes
@dataclass(frozen=True)
class NormalModes:
    """Modal analysis of M q'' + K q = 0: omega^2 are the eigenvalues of M^-1 K."""

    coords: tuple[Coordinate, ...]
    t: sp.Symbol
    mass: sp.Matrix
    stiffness: sp.Matrix
    squared_frequencies: tuple[sp.Expr, ...]  # one per mode, repeated by multiplicity
    shapes: tuple[sp.Matrix, ...]  # column vectors, one per mode

    @property
    def frequencies(self) -> tuple[sp.Expr, ...]:
        """Angular frequencies omega = sqrt(omega^2) (0 for a free, translational mode)."""
        return tuple(sp.sqrt(w2) for w2 in self.squared_frequencies)

    def closed_form(self, initial: InitialValues) -> dict[Coordinate, sp.Expr]:
        """q(t) by modal superposition for the given q(0), q'(0) (symbolic or numeric)."""
        q0, v0 = _initial_vectors(initial, self.coords)
        basis = sp.Matrix.hstack(*self.shapes)
        amp = basis.LUsolve(sp.Matrix([_as_expr(x) for x in q0]))
        vel = basis.LUsolve(sp.Matrix([_as_expr(x) for x in v0]))
        total = sp.zeros(len(self.coords), 1)
        for j, (w2, shape) in enumerate(zip(self.squared_frequencies, self.shapes)):
            total += shape * (amp[j] * _modal_cos(w2, self.t) + vel[j] * _modal_sin(w2, self.t))
        return {c: total[i] for i, c in enumerate(self.coords)}


def _modal_cos(w2: sp.Expr, t: sp.Symbol) -> sp.Expr:
    return sp.Integer(1) if _is_zero(w2) else sp.cos(sp.sqrt(w2) * t)


def _modal_sin(w2: sp.Expr, t: sp.Symbol) -> sp.Expr:
    """sin(omega t)/omega, whose limit at omega = 0 is t (the free mode drifts)."""
    return t if _is_zero(w2) else sp.sin(sp.sqrt(w2) * t) / sp.sqrt(w2)


def _mass_stiffness(
    eqs: Sequence[sp.Expr | sp.Eq], state: _State
) -> tuple[sp.Matrix, sp.Matrix]:
    """M and K of equations M q'' + K q = 0; SolverError if they are not of that form."""
    exprs = [state.to_symbols(_lhs_minus_rhs(e)) for e in eqs]
    unknowns = [*state.a, *state.v, *state.q]
    try:
        matrix, rhs = sp.linear_eq_to_matrix(exprs, unknowns)
    except NonlinearError:
        raise SolverError(
            "the equations of motion are not linear in the coordinates",
            hint="normal modes need M q'' + K q = 0; integrate numerically instead",
        ) from None
    n = len(state.q)
    varying = (matrix.free_symbols | rhs.free_symbols) & {state.t, *unknowns}
    if varying:
        raise SolverError(
            "the coefficients of the equations of motion are not constant",
            hint="normal modes need constant mass and stiffness matrices",
        )
    if any(not _is_zero(c) for c in matrix[:, n : 2 * n]):
        raise SolverError(
            "the equations of motion have velocity-dependent terms",
            hint="normal modes need M q'' + K q = 0 without damping or gyroscopic terms",
        )
    if any(not _is_zero(r) for r in rhs):
        raise SolverError(
            "the equations of motion have constant (inhomogeneous) terms",
            hint="shift the coordinates to the equilibrium first",
        )
    mass, stiffness = matrix[:, :n], matrix[:, 2 * n :]
    for i in range(n):  # present rows with a positive-looking mass (EL gives -M q'' - K q)
        if mass[i, i].could_extract_minus_sign():
            mass[i, :], stiffness[i, :] = -mass[i, :], -stiffness[i, :]
    return mass, stiffness


def linear_normal_modes(
    eqs: EquationsOfMotion | Sequence[sp.Expr | sp.Eq],
    coords: Sequence[Coordinate] | None = None,
    t: sp.Symbol | None = None,
) -> NormalModes:
    """Mass and stiffness matrices, omega^2 = eigenvalues of M^-1 K, and mode shapes."""
    if isinstance(eqs, EquationsOfMotion):
        coords, t, eqs = eqs.coords, eqs.t, eqs.equations
    coords = _check_coordinates(coords or (), t)
    state = _State.of(coords, t)
    mass, stiffness = _mass_stiffness(eqs, state)
    if _is_zero(mass.det()):
        raise SolverError("the mass matrix is singular", hint="check the kinetic terms")
    dynamic = (mass.inv() * stiffness).applyfunc(sp.simplify)
    squared, shapes = [], []
    for value, multiplicity, vectors in dynamic.eigenvects(simplify=True):
        if len(vectors) != multiplicity:
            raise SolverError(
                "M^-1 K is not diagonalisable (repeated frequency without enough modes)",
                hint="integrate numerically instead",
            )
        for vec in vectors:
            squared.append(sp.factor(sp.simplify(value)))
            shapes.append(vec.applyfunc(sp.simplify))
    return NormalModes(coords, t, mass, stiffness, tuple(squared), tuple(shapes))


# --------------------------------------------------------------------------- integration
@dataclass(frozen=True)
class Trajectory:
    """A numerical solution: solver time points, q and q' there, dense output, certificate."""

    coords: tuple[str, ...]
    t: np.ndarray
    q: np.ndarray  # (n_coords, len(t))
    v: np.ndarray  # (n_coords, len(t))
    dense: OdeSolution  # dense(t) -> stacked [q; q'] at any t in the span
    steps: int
    certificate: Certificate

    def at(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """q and q' at arbitrary times inside the span, from the dense output."""
        y = self.dense(np.asarray(times, dtype=float))
        n = len(self.coords)
        return y[:n], y[n:]


class _Abort(Exception):
    """Raised inside the right-hand side to stop an integration that exceeds its limits."""


def _lambdify_rows(args: Sequence[sp.Symbol], exprs: Sequence[sp.Expr]) -> Callable:
    """lambdify a list of expressions into f(*args) -> (len(exprs), *shape) array."""
    from gamespec.lowering import numpy_namespace

    fn = sp.lambdify(list(args), list(exprs), modules=[numpy_namespace(), "numpy"])

    def evaluate(*values: object) -> np.ndarray:
        shape = np.broadcast(*values).shape if values else ()
        return np.array([np.broadcast_to(np.asarray(r, dtype=float), shape) for r in fn(*values)])

    return evaluate


def _parameter_values(
    exprs: Sequence[sp.Expr], state: _State, params: Mapping[sp.Symbol, float]
) -> tuple[list[sp.Symbol], list[float]]:
    """The parameter symbols the expressions use and their values; SpecError if missing."""
    known = {state.t, *state.q, *state.v, *state.a}
    used = set().union(*(e.free_symbols for e in exprs)) - known
    missing = sorted(str(s) for s in used if s not in params)
    if missing:
        raise SpecError(
            f"no value for parameter {missing[0]} in the dynamics",
            hint="declare it with `param` or pass --set NAME=VALUE",
        )
    symbols = sorted(used, key=str)
    return symbols, [float(params[s]) for s in symbols]


def _initial_vectors(
    initial: InitialValues, coords: Sequence[Coordinate]
) -> tuple[list[object], list[object]]:
    """Split {coordinate or name: (q0, q0')} into two lists in coordinate order."""
    by_name = {(_name(k) if isinstance(k, AppliedUndef) else str(k)): v for k, v in initial.items()}
    q0, v0 = [], []
    for c in coords:
        if _name(c) not in by_name:
            raise SpecError(
                f"no initial value for coordinate {_name(c)}",
                hint="give both q(0) and q'(0) for every coordinate",
            )
        pos, vel = by_name[_name(c)]
        q0.append(pos)
        v0.append(vel)
    return q0, v0


def _make_rhs(
    accel: Callable, pvals: list[float], n: int, max_seconds: float
) -> Callable[[float, np.ndarray], np.ndarray]:
    """First-order system y' = (q', q'') with a wall-clock guard."""
    deadline = time.perf_counter() + max_seconds

    def rhs(tt: float, y: np.ndarray) -> np.ndarray:
        if time.perf_counter() > deadline:
            raise _Abort(f"time limit of {max_seconds:g} s reached at t = {tt:g}")
        return np.concatenate([y[n:], accel(tt, *y[:n], *y[n:], *pvals)])

    return rhs


def _step_through(
    solver: object, max_steps: int
) -> tuple[list[float], list[np.ndarray], list[object]]:
    """Advance a scipy OdeSolver to its end, collecting points and dense pieces."""
    ts, ys, pieces = [solver.t], [solver.y.copy()], []
    while solver.status == "running":
        if len(pieces) >= max_steps:
            raise _Abort(f"step limit of {max_steps} reached at t = {solver.t:g}")
        message = solver.step()
        if solver.status == "failed":
            raise SolverError(
                f"integration failed at t = {solver.t:g}: {message}",
                hint="the equations may be stiff or singular here; try method='Radau'",
            )
        if not np.all(np.isfinite(solver.y)):
            raise SolverError(
                f"the solution is not finite at t = {solver.t:g}",
                hint="the dynamics blow up; check signs and parameter values",
            )
        ts.append(solver.t)
        ys.append(solver.y.copy())
        pieces.append(solver.dense_output())
    return ts, ys, pieces


def integrate(
    eqs: EquationsOfMotion | Sequence[sp.Expr | sp.Eq],
    coords: Sequence[Coordinate] | None,
    t: sp.Symbol | None,
    params: Mapping[sp.Symbol, float],
    initial: InitialValues,
    t_span: tuple[float, float],
    *,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    method: str = "DOP853",
    max_steps: int = 1_000_000,
    time_limit: float = 60.0,
    closed_form: Mapping[Coordinate, sp.Expr] | None = None,
    tolerance: float = 1e-5,
    n_check: int = 401,
) -> Trajectory:
    """Integrate the equations numerically (scipy) and certify the solution.

    `eqs` is an `EquationsOfMotion` (then `coords`/`t` may be None and the energy check
    uses its Lagrangian) or plain equations in `coords`.  `closed_form` (q(t) per
    coordinate, symbolic in t and the parameters) is compared with the numbers; without
    it, linear constant-coefficient systems are checked against their modal solution.
    """
    import scipy.integrate as scipy_integrate  # imported when integrating, not at start-up

    system = _as_system(eqs, coords, t)
    state = _State.of(system.coords, system.t)
    if system.accelerations is None:
        raise SolverError(
            "the equations cannot be solved for the second derivatives",
            hint="integration needs a non-singular mass matrix (Hessian of L in q')",
        )
    if method not in _METHODS:
        raise SpecError(f"unknown integration method {method!r}", hint=f"one of {sorted(_METHODS)}")
    t0, t1 = (float(x) for x in t_span)
    if not t1 > t0:
        raise SpecError(f"empty integration span [{t0:g}, {t1:g}]")
    acc = [state.to_symbols(a) for a in system.accelerations]
    psyms, pvals = _parameter_values(acc, state, params)
    accel = _lambdify_rows([state.t, *state.q, *state.v, *psyms], acc)
    q0, v0 = _initial_vectors(initial, system.coords)
    y0 = np.array([*q0, *v0], dtype=float)
    n = len(system.coords)
    try:
        solver = getattr(scipy_integrate, method)(
            _make_rhs(accel, pvals, n, time_limit), t0, y0, t1, rtol=rtol, atol=atol
        )
        ts, ys, pieces = _step_through(solver, max_steps)
    except _Abort as stop:
        raise SolverError(
            f"integration stopped: {stop}", hint="raise the limit or shorten the span"
        ) from None
    dense = scipy_integrate.OdeSolution(ts, pieces)
    ys_arr = np.array(ys).T
    cert = _certify(system, state, params, dense, np.array(ts), y0, closed_form, tolerance, n_check)
    return Trajectory(
        coords=tuple(_name(c) for c in system.coords),
        t=np.array(ts),
        q=ys_arr[:n],
        v=ys_arr[n:],
        dense=dense,
        steps=len(pieces),
        certificate=cert,
    )


def _as_system(
    eqs: EquationsOfMotion | Sequence[sp.Expr | sp.Eq],
    coords: Sequence[Coordinate] | None,
    t: sp.Symbol | None,
) -> EquationsOfMotion:
    """Wrap plain equations as an EquationsOfMotion without a Lagrangian."""
    if isinstance(eqs, EquationsOfMotion):
        return eqs
    coords = _check_coordinates(coords or (), t)
    state = _State.of(coords, t)
    equations = tuple(e if isinstance(e, sp.Equality) else sp.Eq(e, 0) for e in eqs)
    return EquationsOfMotion(None, coords, t, equations, _solve_accelerations(equations, state))


# --------------------------------------------------------------------------- certificates
def _certify(
    system: EquationsOfMotion,
    state: _State,
    params: Mapping[sp.Symbol, float],
    dense: OdeSolution,
    ts: np.ndarray,
    y0: np.ndarray,
    closed_form: Mapping[Coordinate, sp.Expr] | None,
    tolerance: float,
    n_check: int,
) -> Certificate:
    """EL residual, energy drift and closed-form deviation on a grid inside the span."""
    h = 0.05 * float(np.median(np.diff(ts))) if len(ts) > 1 else 1e-6
    grid = np.linspace(ts[0] + 2 * h, ts[-1] - 2 * h, n_check)
    n = len(system.coords)
    y = dense(grid)
    q, v = y[:n], y[n:]
    dy = _central_difference(dense, grid, h)
    fd_v, fd_a = dy[:n], dy[n:]
    checks: dict[str, float | None] = {
        "el_residual": _el_residual(system, state, params, grid, q, v, fd_a),
        "velocity_consistency": float(np.max(np.abs(fd_v - v)) / max(1.0, np.max(np.abs(v)))),
        "energy_drift": _energy_drift(system, state, params, grid, q, v),
        "closed_form_deviation": _closed_form_deviation(
            system, state, params, grid, q, y0, closed_form
        ),
    }
    worst = max(x for x in checks.values() if x is not None)
    return Certificate("ode", worst, bool(worst <= tolerance), tolerance, checks)


def _central_difference(dense: OdeSolution, grid: np.ndarray, h: float) -> np.ndarray:
    """Fourth-order central difference of the dense output: (q', q'') independent of f."""
    return (
        -dense(grid + 2 * h) + 8 * dense(grid + h) - 8 * dense(grid - h) + dense(grid - 2 * h)
    ) / (12 * h)


def _el_residual(
    system: EquationsOfMotion,
    state: _State,
    params: Mapping[sp.Symbol, float],
    grid: np.ndarray,
    q: np.ndarray,
    v: np.ndarray,
    a: np.ndarray,
) -> float:
    """max |equation| / max sum |terms| over the grid, with q'' from finite differences."""
    worst = 0.0
    for eq in system.equations:
        expr = state.to_symbols(_lhs_minus_rhs(eq))
        terms = sp.Add.make_args(sp.expand(expr))
        psyms, pvals = _parameter_values([expr], state, params)
        fn = _lambdify_rows([state.t, *state.q, *state.v, *state.a, *psyms], list(terms))
        values = fn(grid, *q, *v, *a, *pvals)
        scale = float(np.max(np.sum(np.abs(values), axis=0)))
        resid = float(np.max(np.abs(np.sum(values, axis=0))))
        worst = max(worst, resid / scale if scale > 0 else resid)
    return worst


def _energy_drift(
    system: EquationsOfMotion,
    state: _State,
    params: Mapping[sp.Symbol, float],
    grid: np.ndarray,
    q: np.ndarray,
    v: np.ndarray,
) -> float | None:
    """max |H(t) - H(t0)| / scale, scale = max(|H|, sum |v dL/dv|); None if not conserved."""
    energy = system.energy()
    if energy is None:
        return None
    lag = state.to_symbols(system.lagrangian)
    kinetic_like = sum(vv * sp.diff(lag, vv) for vv in state.v)
    exprs = [state.to_symbols(energy), kinetic_like]
    psyms, pvals = _parameter_values(exprs, state, params)
    ham, kin = _lambdify_rows([state.t, *state.q, *state.v, *psyms], exprs)(
        grid, *q, *v, *pvals
    )
    scale = max(float(np.max(np.abs(ham))), float(np.max(np.abs(kin))), 1e-300)
    return float(np.max(np.abs(ham - ham[0]))) / scale


def _closed_form_deviation(
    system: EquationsOfMotion,
    state: _State,
    params: Mapping[sp.Symbol, float],
    grid: np.ndarray,
    q: np.ndarray,
    y0: np.ndarray,
    closed_form: Mapping[Coordinate, sp.Expr] | None,
) -> float | None:
    """max |q_numeric - q_closed| / max(1, |q_closed|); None when no closed form exists."""
    if closed_form is not None:
        exprs = [closed_form[c] for c in system.coords]
        psyms, pvals = _parameter_values(exprs, state, params)
        exact = _lambdify_rows([state.t, *psyms], exprs)(grid, *pvals)
    else:
        exact = _modal_solution(system, state, params, grid, y0)
        if exact is None:
            return None
    return float(np.max(np.abs(q - exact)) / max(1.0, float(np.max(np.abs(exact)))))


def _modal_solution(
    system: EquationsOfMotion,
    state: _State,
    params: Mapping[sp.Symbol, float],
    grid: np.ndarray,
    y0: np.ndarray,
) -> np.ndarray | None:
    """Numerical modal superposition for linear systems (None if the system is not one)."""
    try:
        mass, stiffness = _mass_stiffness(system.equations, state)
    except SolverError:
        return None
    psyms, pvals = _parameter_values([*mass, *stiffness], state, params)
    args = dict(zip(psyms, pvals))
    m_num = np.array(mass.xreplace(args).evalf(), dtype=float)
    k_num = np.array(stiffness.xreplace(args).evalf(), dtype=float)
    lam, basis = np.linalg.eig(np.linalg.solve(m_num, k_num))
    if np.linalg.cond(basis) > 1e8:
        return None
    n = len(system.coords)
    amp = np.linalg.solve(basis, y0[:n].astype(complex))
    vel = np.linalg.solve(basis, y0[n:].astype(complex))
    omega = np.sqrt(lam.astype(complex))[:, None]
    tt = grid[None, :]
    small = np.abs(omega) < 1e-12
    sin_over = np.where(small, tt, np.sin(omega * tt) / np.where(small, 1.0, omega))
    modal = amp[:, None] * np.cos(omega * tt) + vel[:, None] * sin_over
    return np.real(basis @ modal)


# --------------------------------------------------------------------------- variants
@dataclass(frozen=True)
class VariantReport:
    """Whether claimed equations of motion follow from a Lagrangian, and what does."""

    follows: bool
    derived: tuple[sp.Eq, ...]  # what Euler–Lagrange gives, solved for q''
    claimed: tuple[sp.Eq, ...]  # the claimed equations, solved for q''
    differences: tuple[sp.Expr, ...]  # claimed q'' minus derived q'', per coordinate
    momentum: sp.Expr  # total momentum sum_i dL/dq_i'
    momentum_rate_derived: sp.Expr  # dP/dt along the derived equations (0: conserved)
    momentum_rate_claimed: sp.Expr  # dP/dt along the claimed equations
    squared_frequencies_derived: tuple[sp.Expr, ...] | None
    squared_frequencies_claimed: tuple[sp.Expr, ...] | None

    @property
    def momentum_conserved_derived(self) -> bool:
        """True if the Euler–Lagrange equations conserve the total momentum."""
        return self.momentum_rate_derived == 0

    @property
    def momentum_conserved_claimed(self) -> bool:
        """True if the claimed equations conserve the total momentum."""
        return self.momentum_rate_claimed == 0

    def summary(self) -> str:
        """Plain-text report, one fact per line."""
        lines = ["claimed equations " + ("follow" if self.follows else "do NOT follow")
                 + " from the Lagrangian"]
        lines += [f"  Euler-Lagrange: {sp.sstr(e)}" for e in self.derived]
        lines += [f"  claimed:        {sp.sstr(e)}" for e in self.claimed]
        lines.append(f"  total momentum P = {sp.sstr(self.momentum)}")
        lines.append(f"  dP/dt along Euler-Lagrange = {sp.sstr(self.momentum_rate_derived)}")
        lines.append(f"  dP/dt along claimed        = {sp.sstr(self.momentum_rate_claimed)}")
        if self.squared_frequencies_derived is not None:
            lines.append(f"  omega^2 (Euler-Lagrange): {self.squared_frequencies_derived}")
        if self.squared_frequencies_claimed is not None:
            lines.append(f"  omega^2 (claimed):        {self.squared_frequencies_claimed}")
        return "\n".join(lines)


def _momentum_rate(
    lagrangian: sp.Expr, state: _State, accelerations: Sequence[sp.Expr]
) -> tuple[sp.Expr, sp.Expr]:
    """P = sum_i dL/dq_i' and dP/dt with q'' replaced by the given accelerations."""
    lag = state.to_symbols(lagrangian)
    momentum = sum(sp.diff(lag, v) for v in state.v)
    rate = sp.diff(momentum, state.t)
    for q, v, a in zip(state.q, state.v, state.a):
        rate += sp.diff(momentum, q) * v + sp.diff(momentum, v) * a
    acc = {a: state.to_symbols(x) for a, x in zip(state.a, accelerations)}
    return state.to_functions(momentum), state.to_functions(sp.simplify(rate.xreplace(acc)))


def _try_frequencies(eqs: Sequence[sp.Eq], coords: tuple, t: sp.Symbol) -> tuple | None:
    try:
        return linear_normal_modes(eqs, coords, t).squared_frequencies
    except SolverError:
        return None


def check_variant(
    lagrangian: sp.Expr,
    claimed_eqs: Sequence[sp.Expr | sp.Eq],
    coords: Sequence[Coordinate],
    t: sp.Symbol,
) -> VariantReport:
    """Do the claimed equations follow from L?  Compares the accelerations both determine.

    Also reports the total momentum sum_i dL/dq_i' and its rate of change along each set of
    equations, and the normal-mode frequencies of each when they are linear.
    """
    derived = derive_equations(lagrangian, coords, t)
    state = _State.of(derived.coords, t)
    claimed_acc = _solve_accelerations(claimed_eqs, state)
    if derived.accelerations is None or claimed_acc is None:
        raise SolverError(
            "cannot compare: an equation set does not determine the second derivatives",
            hint="both the Lagrangian and the claim must give a non-singular mass matrix",
        )
    diffs = tuple(sp.simplify(c - d) for c, d in zip(claimed_acc, derived.accelerations))
    momentum, rate_derived = _momentum_rate(lagrangian, state, derived.accelerations)
    _, rate_claimed = _momentum_rate(lagrangian, state, claimed_acc)
    claimed_eqs = tuple(e if isinstance(e, sp.Equality) else sp.Eq(e, 0) for e in claimed_eqs)
    claimed_explicit = tuple(
        sp.Eq(sp.Derivative(c, (t, 2)), a) for c, a in zip(derived.coords, claimed_acc)
    )
    return VariantReport(
        follows=all(d == 0 for d in diffs),
        derived=derived.explicit(),
        claimed=claimed_explicit,
        differences=diffs,
        momentum=momentum,
        momentum_rate_derived=rate_derived,
        momentum_rate_claimed=rate_claimed,
        squared_frequencies_derived=_try_frequencies(derived.equations, derived.coords, t),
        squared_frequencies_claimed=_try_frequencies(claimed_eqs, derived.coords, t),
    )
