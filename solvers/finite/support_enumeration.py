"""All Nash equilibria of a small n-player finite game, by support enumeration.

For every support profile (one nonempty set of pure strategies per agent), smallest first,
the indifference conditions (each agent's pure strategies on its support earn the same
against the others' mix; probabilities sum to one; zero off the support) form a polynomial
system. It is solved exactly with SymPy (a lex Groebner basis, then real roots), so
irrational equilibria come out as algebraic numbers. A solution is kept when every
probability on the support is positive and no strategy off the support does better.

A support profile is skipped when one of its strategies is strictly dominated, given the
others' supports, by some strategy of the same agent. Degenerate games can have a
positive-dimensional solution set on a support: then one equilibrium on it is reported
(found by fixing the free coordinates at small rationals) and the support is listed in
`SupportEnumeration.continua`; isolated solutions sharing that support are not listed.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from gamespec.errors import SolverError
from gamespec.solvers.finite.mixed_equilibrium import MixedEquilibrium, rational_payoffs

DEFAULT_MAX_SUPPORTS = 4096
PRECISION = 60  # decimal digits for sign decisions on algebraic numbers
ZERO_BAND = mpmath.mpf(10) ** -40  # below this, a sign is decided exactly
SAMPLE_DENOMINATOR = 7  # grid of rationals tried on a positive-dimensional solution set
MAX_SAMPLES = 80
FGLM_FROM = 5  # systems with more unknowns than this get a grevlex basis converted to lex

Support = tuple[tuple[int, ...], ...]


@dataclass
class SupportEnumeration:
    """equilibria: every isolated equilibrium (and one point of each continuum);
    continua: the supports whose indifference solutions form a positive-dimensional set
    holding equilibria; supports_checked: support profiles whose system was solved."""

    equilibria: list[MixedEquilibrium] = field(default_factory=list)
    continua: list[Support] = field(default_factory=list)
    supports_checked: int = 0
    supports_pruned: int = 0


def support_count(shape) -> int:
    """The number of support profiles of a game whose strategy counts are `shape`."""
    return math.prod(2 ** int(s) - 1 for s in shape)


def support_equilibria(payoffs: np.ndarray, exact: np.ndarray | None = None,
                       max_supports: int = DEFAULT_MAX_SUPPORTS,
                       time_limit: float | None = None) -> SupportEnumeration:
    """Every equilibrium of the game `payoffs` (shape (n, S_1, ..., S_n)), isolated ones
    exactly; `exact` holds the payoffs as Fractions (from `rational_payoffs`). Without it
    the payoffs are tried as small rationals, else taken as the exact binary values of the
    floats (then only float probabilities are reported)."""
    payoffs = np.asarray(payoffs, dtype=float)
    shape = payoffs.shape[1:]
    if payoffs.ndim < 2 or payoffs.shape[0] != len(shape) or min(shape) < 1:
        raise SolverError(f"a payoff tensor of shape (n, S_1, ..., S_n) is needed, "
                          f"not {payoffs.shape}")
    total = support_count(shape)
    if total > max_supports:
        raise SolverError(
            f"support enumeration would examine {total:,} support profiles "
            f"(limit {max_supports:,})", hint="use a method that finds one equilibrium")
    if exact is None:
        exact = rational_payoffs(payoffs)
    report_exact = exact is not None
    if exact is None:
        exact = np.vectorize(Fraction, otypes=[object])(payoffs)
    game = _Game(payoffs, exact)
    out = SupportEnumeration()
    start = time.monotonic()
    for support in _support_profiles(shape):
        if time_limit is not None and time.monotonic() - start > time_limit:
            raise SolverError(
                f"support enumeration stopped after {out.supports_checked:,} of {total:,} "
                f"support profiles (time limit {time_limit:g} s)")
        if _has_dominated_strategy(payoffs, support):
            out.supports_pruned += 1
            continue
        out.supports_checked += 1
        points, continuum = game.solve_support(support)
        if continuum and points:
            out.continua.append(support)
        for point in points:
            out.equilibria.append(_equilibrium(point, report_exact))
    return out


def _support_profiles(shape):
    """Every support profile, by total size, then by each agent's size."""
    per_agent = [[c for size in range(1, s + 1) for c in itertools.combinations(range(s), size)]
                 for s in shape]
    profiles = itertools.product(*per_agent)
    return sorted(profiles, key=lambda p: (sum(map(len, p)), tuple(map(len, p)), p))


def _has_dominated_strategy(payoffs: np.ndarray, support: Support) -> bool:
    """Whether a strategy in the support does strictly worse than another strategy of the
    same agent against every pure profile of the others' supports. Float comparisons are
    safe: rounding to the nearest double keeps strict order in this direction."""
    n = len(support)
    for k in range(n):
        if len(support[k]) == 1 and payoffs.shape[1 + k] == 1:
            continue
        table = np.moveaxis(payoffs[k][np.ix_(*[
            range(payoffs.shape[1 + j]) if j == k else support[j] for j in range(n)])], k, 0)
        table = table.reshape(table.shape[0], -1)
        for a in support[k]:
            if np.any(np.all(table > table[a], axis=1)):
                return True
    return False


class _Game:
    """Exact payoffs as SymPy rationals and the indifference system of each support."""

    def __init__(self, payoffs: np.ndarray, exact: np.ndarray) -> None:
        self.n = payoffs.shape[0]
        self.shape = payoffs.shape[1:]
        self.exact = np.vectorize(lambda f: sympy.Rational(f.numerator, f.denominator),
                                  otypes=[object])(exact)
        self.mp = np.vectorize(lambda f: mpmath.mpf(f.numerator) / f.denominator,
                               otypes=[object])(exact)
        self.scale = max(mpmath.mpf(1), max(abs(x) for x in self.mp.ravel()))

    def solve_support(self, support: Support) -> tuple[list[list[list]], bool]:
        """The feasible points of a support (each agent's exact probability vector) and
        whether the indifference solutions there are positive-dimensional."""
        gens, probs = self._variables(support)
        polys = self._indifference(support, probs)
        solutions, positive_dim = _real_solutions(polys, gens)
        if positive_dim:
            sample = self._sample_continuum(support, polys, gens, probs)
            return ([sample], True) if sample is not None else ([], True)
        points = []
        for values, numeric in solutions:
            point = _substitute(probs, values)
            if self._feasible(support, point, _approximate(probs, numeric)):
                points.append(point)
        return points, False

    def _variables(self, support: Support):
        """One symbol per support strategy but the last of each mixing agent; probs[k] is
        agent k's full probability vector in those symbols."""
        gens, probs = [], []
        for k, s in enumerate(support):
            vector = [sympy.Integer(0)] * self.shape[k]
            own = [sympy.Symbol(f"p{k}_{j}") for j in s[:-1]]
            for j, x in zip(s[:-1], own):
                vector[j] = x
            vector[s[-1]] = 1 - sum(own, sympy.Integer(0))
            gens += own
            probs.append(vector)
        return gens, probs

    def payoff_of(self, k: int, strategy: int, support: Support, probs) -> sympy.Expr:
        """Agent k's expected payoff of a pure strategy against the others' mix."""
        others = [j for j in range(self.n) if j != k]
        total = sympy.Integer(0)
        for rest in itertools.product(*(support[j] for j in others)):
            weight = sympy.Integer(1)
            profile = [0] * self.n
            profile[k] = strategy
            for j, s in zip(others, rest):
                profile[j] = s
                weight *= probs[j][s]
            total += self.exact[(k,) + tuple(profile)] * weight
        return sympy.expand(total)

    def _indifference(self, support: Support, probs) -> list[sympy.Expr]:
        polys = []
        for k, s in enumerate(support):
            base = self.payoff_of(k, s[-1], support, probs)
            polys += [sympy.expand(self.payoff_of(k, a, support, probs) - base) for a in s[:-1]]
        return [p for p in polys if p != 0]

    def _feasible(self, support: Support, point, approx=None) -> bool:
        """Every support probability positive and no outside strategy better (exact)."""
        if all(isinstance(x, sympy.Rational) for v in point for x in v):
            return self._feasible_rational(support, point)
        with mpmath.workdps(PRECISION):
            if approx is None:
                approx = [[_mp_value(x) for x in v] for v in point]
            if any(a is None for v in approx for a in v):
                return False
            for k, s in enumerate(support):
                for j in s:
                    if _sign(point[k][j], approx[k][j]) <= 0:
                        return False
            for k, s in enumerate(support):
                outside = [b for b in range(self.shape[k]) if b not in s]
                if not outside:
                    continue
                values = self._mp_deviation_payoffs(k, approx)
                for b in outside:
                    gap = values[b] - values[s[-1]]
                    if gap > ZERO_BAND * self.scale:
                        return False
                    if abs(gap) <= ZERO_BAND * self.scale:
                        exact_gap = (self.payoff_of(k, b, support, point)
                                     - self.payoff_of(k, s[-1], support, point))
                        if _sign(exact_gap, gap) > 0:
                            return False
        return True

    def _feasible_rational(self, support: Support, point) -> bool:
        for k, s in enumerate(support):
            if any(point[k][j] <= 0 for j in s):
                return False
            mine = self.payoff_of(k, s[-1], support, point)
            for b in range(self.shape[k]):
                if b not in s and self.payoff_of(k, b, support, point) > mine:
                    return False
        return True

    def _mp_deviation_payoffs(self, k: int, approx) -> list:
        u = self.mp[k]
        for j in reversed(range(self.n)):
            if j != k:
                u = np.tensordot(u, np.array(approx[j], dtype=object), axes=([j], [0]))
        return list(np.atleast_1d(u))

    def _sample_continuum(self, support, polys, gens, probs):
        """A feasible point of a positive-dimensional solution set: the free coordinates
        fixed at small rationals in (0, 1), the rest solved; None if none is feasible."""
        free = _independent_variables(polys, gens)
        grid = sorted({Fraction(a, b) for b in range(2, SAMPLE_DENOMINATOR + 1)
                       for a in range(1, b)}, key=lambda f: (f.denominator, f))
        for count, values in enumerate(itertools.product(grid, repeat=len(free))):
            if count >= MAX_SAMPLES:
                break
            fixed = {x: sympy.Rational(v.numerator, v.denominator) for x, v in zip(free, values)}
            rest = [g for g in gens if g not in fixed]
            reduced = [sympy.expand(p.subs(fixed)) for p in polys]
            solutions, positive_dim = _real_solutions([p for p in reduced if p != 0], rest)
            if positive_dim:
                continue
            for sol, numeric in solutions:
                point = _substitute(probs, {**fixed, **sol})
                if numeric is not None:
                    numeric = {**{x: mpmath.mpf(v.p) / v.q for x, v in fixed.items()}, **numeric}
                if self._feasible(support, point, _approximate(probs, numeric)):
                    return point
        return None


def _substitute(probs, values: dict) -> list[list]:
    return [[sympy.sympify(x).xreplace(values) for x in v] for v in probs]


def _approximate(probs, numeric: dict | None):
    """The probability vectors at PRECISION digits from the unknowns' values (None if
    unknown)."""
    if not numeric:
        return None
    with mpmath.workdps(PRECISION):
        out = []
        for v in probs:
            row = []
            for x in v:
                poly = sympy.Poly(x, *numeric)
                value = mpmath.mpf(0)
                for monom, c in poly.terms():
                    term = mpmath.mpf(c.p) / c.q
                    for g, e in zip(poly.gens, monom):
                        term *= numeric[g] ** e
                    value += term
                row.append(value)
            out.append(row)
        return out


def _tidy(x):
    """An exact number in its simplest usual form (radicals simplified)."""
    if x.is_Rational:
        return x
    if x.has(sympy.CRootOf):
        return sympy.expand(x)
    return sympy.radsimp(sympy.simplify(x))


def _real_solutions(polys, gens) -> tuple[list[tuple[dict, dict | None]], bool]:
    """The real solutions of polys = 0 in gens, each exact and (when known) at PRECISION
    digits, or ([], True) when the complex solution set is positive-dimensional."""
    polys = [p for p in polys if p != 0]
    if not gens:
        return ([({}, {})] if not polys else []), False
    if not polys:
        return [], True
    basis = _lex_basis(polys, gens)
    if basis is None:
        return [], True
    if _inconsistent(basis):
        return [], False
    shaped = _shape_position(basis.exprs, gens)
    if shaped is not None:
        return shaped, False
    for attempt in range(1, 4):  # a random linear form as the last variable
        z = sympy.Dummy("z")
        form = sum((c * g for c, g in zip(_coefficients(len(gens), attempt), gens)),
                   sympy.Integer(0))
        lifted = sympy.groebner(list(polys) + [z - form], *gens, z, order="lex", domain="QQ")
        shaped = _shape_position(lifted.exprs, list(gens) + [z])
        if shaped is not None:
            return [({g: e[g] for g in gens}, {g: a[g] for g in gens}) for e, a in shaped], False
    return _fallback_solutions(polys, gens), False  # pragma: no cover - not met in tests


def _lex_basis(polys, gens):
    """The reduced lex Groebner basis, or None when the solution set is positive-dimensional.
    Larger systems go through a degree-ordered basis and FGLM, much faster there."""
    if len(gens) <= FGLM_FROM:
        basis = sympy.groebner(polys, *gens, order="lex", domain="QQ")
        return basis if basis.is_zero_dimensional or _inconsistent(basis) else None
    basis = sympy.groebner(polys, *gens, order="grevlex", domain="QQ")
    if _inconsistent(basis):
        return basis
    return basis.fglm("lex") if basis.is_zero_dimensional else None


def _inconsistent(basis) -> bool:
    return any(p.is_number for p in basis.exprs)


def _coefficients(n: int, attempt: int) -> list[int]:
    rng = np.random.default_rng(attempt)
    return [int(c) for c in rng.integers(1, 10 * attempt + 2, size=n)]


def _shape_position(basis, gens) -> list[tuple[dict, dict]] | None:
    """Solutions of a lex basis [g_i - h_i(t), ..., f(t)] (t the last variable): one per
    distinct real root of f; None if the basis has another form."""
    t = gens[-1]
    if len(basis) != len(gens):
        return None
    last = sympy.Poly(basis[-1], *gens)
    if any(any(e) for e in (m[:-1] for m in last.monoms())):
        return None
    maps = {}
    for g, expr in zip(gens[:-1], basis[:-1]):
        poly = sympy.Poly(expr, *gens)
        linear = poly.coeff_monomial(g)
        rest = sympy.expand(expr - linear * g)
        if not linear.is_number or linear == 0 or not rest.free_symbols <= {t}:
            return None
        maps[g] = -rest / linear
    univariate = sympy.Poly(basis[-1], t).sqf_part()
    roots = univariate.real_roots()
    approx = _approximate_real_roots(univariate, len(roots))
    out = []
    for r, a in zip(roots, approx):
        exact = {t: r, **{g: h.subs(t, r) for g, h in maps.items()}}
        numeric = {t: a, **{g: _horner(sympy.Poly(h, t), a) for g, h in maps.items()}}
        out.append((exact, numeric))
    return out


def _approximate_real_roots(poly: sympy.Poly, count: int) -> list:
    """The real roots of a square-free polynomial at PRECISION digits, ascending (count is
    the exact number of real roots)."""
    if count == 0:
        return []
    with mpmath.workdps(PRECISION):
        coeffs = [mpmath.mpf(c.p) / c.q for c in poly.all_coeffs()]
        if len(coeffs) == 2:
            return [-coeffs[1] / coeffs[0]]
        found = mpmath.polyroots(coeffs, maxsteps=200, extraprec=4 * PRECISION)
        nearest = sorted(found, key=lambda z: abs(mpmath.im(z)))[:count]
        return sorted(mpmath.re(z) for z in nearest)


def _horner(poly: sympy.Poly, x):
    with mpmath.workdps(PRECISION):
        value = mpmath.mpf(0)
        for c in poly.all_coeffs():
            value = value * x + mpmath.mpf(c.p) / c.q
        return value


def _fallback_solutions(polys, gens) -> list[dict]:
    out = []
    for sol in sympy.solve_poly_system(polys, *gens) or []:
        values = [complex(sympy.N(v, PRECISION)) for v in sol]
        if all(abs(v.imag) < 1e-30 for v in values):
            out.append(({g: sympy.re(v) for g, v in zip(gens, sol)}, None))
    return out


def _independent_variables(polys, gens) -> list:
    """A largest set of variables no leading monomial of the lex basis lies in: the
    coordinates that can be fixed freely on the solution set."""
    polys = [p for p in polys if p != 0]
    if not polys:
        return list(gens)
    basis = sympy.groebner(polys, *gens, order="grevlex", domain="QQ")
    leads = []
    for expr in basis.exprs:
        monom = sympy.Poly(expr, *gens).monoms(order="grevlex")[0]
        leads.append({g for g, e in zip(gens, monom) if e})
    for size in range(len(gens), 0, -1):
        for subset in itertools.combinations(gens, size):
            if not any(lead <= set(subset) for lead in leads):
                return list(subset)
    return []


def _mp_value(x):
    """x at high precision as an mpf, or None when it is not real."""
    value = sympy.N(x, PRECISION)
    re, im = value.as_real_imag()
    if abs(float(im)) > 1e-30:
        return None
    return mpmath.mpf(sympy.Float(re, PRECISION)._mpf_)


def _sign(exact, approx) -> int:
    """The sign of an exact real algebraic number; `approx` decides unless it is tiny."""
    if abs(approx) > ZERO_BAND:
        return 1 if approx > 0 else -1
    exact = sympy.sympify(exact)
    try:
        if sympy.minimal_polynomial(exact, sympy.Dummy("m")).is_Symbol:
            return 0
    except (NotImplementedError, ValueError):  # pragma: no cover - exotic expressions
        return 0
    value = sympy.N(exact, 4 * PRECISION)
    return 1 if value > 0 else -1


def _equilibrium(point, report_exact: bool) -> MixedEquilibrium:
    strategies = tuple(np.array([float(sympy.N(x, 30)) for x in v]) for v in point)
    if not report_exact:
        return MixedEquilibrium(strategies, None)
    exact = tuple(tuple(Fraction(int(x.p), int(x.q)) if x.is_Rational else _tidy(x)
                        for x in v) for v in point)
    return MixedEquilibrium(strategies, exact)
