"""All Nash equilibria of a small n-player finite game, by support enumeration.

For every support profile (one nonempty set of pure strategies per agent), smallest first,
the indifference conditions (each agent's pure strategies on its support earn the same
against the others' mix; probabilities sum to one; zero off the support) form a polynomial
system. It is solved exactly (gamespec.solvers.finite.real_solutions: a lex Groebner basis,
then real roots), so irrational equilibria come out as algebraic numbers. A solution is
kept when every probability on the support is positive and no strategy off the support
does better, decided exactly.

A support profile is skipped when one of its strategies is strictly dominated, given the
others' supports, by some strategy of the same agent; with three or more agents, also when
a subdivision of its product of simplices proves that no point of it is an equilibrium
(gamespec.solvers.finite.support_exclusion), so that only the few supports near an
equilibrium (or holding a continuum) reach the exact solver. Degenerate games can have a
positive-dimensional solution set on a support: then one equilibrium on it is reported
(the free coordinates fixed at small rationals, the rest solved) and the support is listed
in `SupportEnumeration.continua`; isolated solutions sharing that support are not listed,
and a continuum whose equilibria that grid of rationals misses is not found.

Cost: exact algebra grows with the size of the payoffs' numerators and denominators, and
only supports that were not ruled out are solved. Small rational payoffs are fast (random
3x3x3 or 2x2x2x2 games: about a second; 5x4x3: a few seconds); floats that are not small
rationals are solved at their exact binary values, which can take minutes for three or
more players (pass time_limit).
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
from sympy.polys.orderings import lex
from sympy.polys.rings import ring

from gamespec.errors import SolverError
from gamespec.solvers.finite.mixed_equilibrium import MixedEquilibrium, rational_payoffs
from gamespec.solvers.finite.real_solutions import (
    PRECISION,
    RealSolution,
    independent_variables,
    real_solutions,
)
from gamespec.solvers.finite.support_exclusion import rules_out

DEFAULT_MAX_SUPPORTS = 4096
ZERO_BAND = mpmath.mpf(10) ** -40  # below this (relative), a sign is decided exactly
SAMPLE_DENOMINATOR = 7  # grid of rationals tried on a positive-dimensional solution set
MAX_SAMPLES = 80

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
    exclude = len(shape) > 2 and np.all(np.isfinite(payoffs))
    out = SupportEnumeration()
    start = time.monotonic()
    for support in _support_profiles(shape):
        if time_limit is not None and time.monotonic() - start > time_limit:
            raise SolverError(
                f"support enumeration stopped after {out.supports_checked:,} of {total:,} "
                f"support profiles (time limit {time_limit:g} s)")
        if _has_dominated_strategy(payoffs, support) or (
                exclude and rules_out(payoffs, support, game.scale)):
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
    """Exact payoffs and the indifference system of each support, in a polynomial ring."""

    def __init__(self, payoffs: np.ndarray, exact: np.ndarray) -> None:
        self.n = payoffs.shape[0]
        self.shape = payoffs.shape[1:]
        self.exact = np.vectorize(lambda f: sympy.QQ(f.numerator, f.denominator),
                                  otypes=[object])(exact)
        self.scale = max(1.0, float(np.max(np.abs(payoffs), initial=0.0)))

    def solve_support(self, support: Support) -> tuple[list, bool]:
        """The feasible points of a support (each agent's exact probability vector) and
        whether the indifference solutions there are positive-dimensional."""
        base, probs = self._variables(support)
        polys = self._indifference(support, probs)
        solutions = real_solutions(polys, base)
        if solutions is None:
            sample = self._sample_continuum(support, polys, base, probs)
            return ([sample], True) if sample is not None else ([], True)
        return [self._point(probs, sol) for sol in solutions
                if self._feasible(support, probs, sol)], False

    def _variables(self, support: Support):
        """A lex ring with one unknown per support strategy but the last of each mixing
        agent; probs[k] is agent k's probability vector in it."""
        names = [f"p{k}_{j}" for k, s in enumerate(support) for j in s[:-1]]
        base = ring(names, sympy.QQ, lex)[0] if names else ring("", sympy.QQ, lex)[0]
        gens = iter(base.gens)
        probs = []
        for k, s in enumerate(support):
            vector = [base.zero] * self.shape[k]
            own = [next(gens) for _ in s[:-1]]
            for j, x in zip(s[:-1], own):
                vector[j] = x
            vector[s[-1]] = base.one - sum(own, base.zero)
            probs.append(vector)
        return base, probs

    def payoff_of(self, k: int, strategy: int, support: Support, probs):
        """Agent k's expected payoff of a pure strategy against the others' mix."""
        others = [j for j in range(self.n) if j != k]
        total = probs[k][0].ring.zero
        for rest in itertools.product(*(support[j] for j in others)):
            profile = [0] * self.n
            profile[k] = strategy
            weight = total.ring.one
            for j, s in zip(others, rest):
                profile[j] = s
                weight = weight * probs[j][s]
            total += weight * self.exact[(k,) + tuple(profile)]
        return total

    def _indifference(self, support: Support, probs) -> list:
        polys = []
        for k, s in enumerate(support):
            base = self.payoff_of(k, s[-1], support, probs)
            polys += [self.payoff_of(k, a, support, probs) - base for a in s[:-1]]
        return [p for p in polys if p]

    def _conditions(self, support: Support, probs):
        """The quantities that must be positive (support probabilities) and those that
        must not be positive (gains of outside strategies) at an equilibrium."""
        positive, not_positive = [], []
        for k, s in enumerate(support):
            positive += [probs[k][j] for j in s]
            outside = [b for b in range(self.shape[k]) if b not in s]
            if outside:
                base = self.payoff_of(k, s[-1], support, probs)
                not_positive += [self.payoff_of(k, b, support, probs) - base for b in outside]
        return positive, not_positive

    def _feasible(self, support: Support, probs, sol: RealSolution) -> bool:
        """Every support probability positive and no outside strategy better (exact)."""
        positive, not_positive = self._conditions(support, probs)
        if sol.rational:
            return (all(sol.exact(q) > 0 for q in positive)
                    and all(sol.exact(q) <= 0 for q in not_positive))
        with mpmath.workdps(PRECISION):
            values = sol.numeric()
            return (all(self._sign(q, sol, values, 1) > 0 for q in positive)
                    and all(self._sign(q, sol, values, self.scale) <= 0 for q in not_positive))

    @staticmethod
    def _sign(q, sol: RealSolution, values, scale) -> int:
        """The sign of q at an algebraic solution: numerically unless it is tiny, then
        exactly (zero test mod the minimal polynomial, else many more digits)."""
        approx = _evaluate(q, values)
        if abs(approx) > ZERO_BAND * scale:
            return 1 if approx > 0 else -1
        if sol.is_zero(q):
            return 0
        return 1 if sympy.N(sol.exact(q), 4 * PRECISION) > 0 else -1

    def _point(self, probs, sol: RealSolution) -> tuple[list[list], list[list]]:
        """Each agent's probabilities exactly, and as floats (from the numeric solution,
        which spares evaluating CRootOf objects)."""
        with mpmath.workdps(PRECISION):
            values = sol.numeric()
            floats = [[float(_evaluate(p, values)) for p in row] for row in probs]
        return [[sol.exact(p) for p in row] for row in probs], floats

    def _sample_continuum(self, support, polys, base, probs):
        """A feasible point of a positive-dimensional solution set: the free coordinates
        fixed at small rationals in (0, 1), the rest solved; None if none is feasible."""
        free = independent_variables(polys, base)
        grid = sorted({Fraction(a, b) for b in range(2, SAMPLE_DENOMINATOR + 1)
                       for a in range(1, b)}, key=lambda f: (f.denominator, f))
        for values in itertools.islice(itertools.product(grid, repeat=len(free)), MAX_SAMPLES):
            fixed = [base.gens[i] - sympy.QQ(v.numerator, v.denominator)
                     for i, v in zip(free, values)]
            solutions = real_solutions(polys + fixed, base)
            for sol in solutions or []:
                if self._feasible(support, probs, sol):
                    return self._point(probs, sol)
        return None


def _evaluate(q, values):
    """A polynomial of the unknowns' ring at mpf values."""
    total = mpmath.mpf(0)
    for monom, c in q.terms():
        term = mpmath.mpf(int(c.numerator)) / int(c.denominator)
        for v, e in zip(values, monom):
            term *= v**e
        total += term
    return total


def _equilibrium(found, report_exact: bool) -> MixedEquilibrium:
    point, floats = found
    strategies = tuple(np.array(v, dtype=float) for v in floats)
    if not report_exact:
        return MixedEquilibrium(strategies, None)
    exact = tuple(tuple(Fraction(int(x.p), int(x.q)) if x.is_Rational else x for x in v)
                  for v in point)
    return MixedEquilibrium(strategies, exact)
