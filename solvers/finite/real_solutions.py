"""The real solutions of a zero-dimensional polynomial system over the rationals, exactly.

A lex Groebner basis in shape position, [x_1 - h_1(t), ..., f(t)], gives every solution
from a root of f; when the basis has another form, a random linear form of the unknowns
is added as the last variable t (which puts the basis in shape position). Each real
solution keeps its coordinates as polynomials in t modulo an irreducible factor g of f,
so a quantity vanishes at the solution exactly when its reduction mod g is zero; numbers
come from the roots of g at high precision, and exact values (rationals, radicals for a
quadratic g, CRootOf otherwise) are built only when asked for.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy
from sympy.polys.fglmtools import matrix_fglm
from sympy.polys.groebnertools import groebner
from sympy.polys.matrices import DomainMatrix
from sympy.polys.orderings import grevlex, lex
from sympy.polys.rings import PolyElement, ring

PRECISION = 60  # decimal digits of the numeric coordinates
FGLM_FROM = 4  # from this many unknowns: a grevlex basis converted to lex (FGLM), more robust
_T_RING, _T = ring("t", sympy.QQ, lex)
_X = sympy.Symbol("x")


@dataclass(frozen=True)
class RealSolution:
    """A real solution: coords[i] is unknown i as a polynomial in t, t being a root of the
    irreducible `factor` (the index-th real root, ascending; `root` holds it numerically)."""

    coords: tuple[PolyElement, ...]
    factor: PolyElement
    index: int
    root: mpmath.mpf

    @property
    def rational(self) -> bool:
        return self.factor.degree() == 1

    def numeric(self) -> list:
        with mpmath.workdps(PRECISION):
            return [_horner(c, self.root) for c in self.coords]

    def reduce(self, poly: PolyElement) -> PolyElement:
        """poly (over the unknowns' ring) at this solution, as a polynomial in t mod factor."""
        total = _T_RING.zero
        for monom, coeff in poly.terms():
            term = _T_RING(coeff)
            for c, e in zip(self.coords, monom):
                if e:
                    term = (term * c**e).rem(self.factor)
            total += term
        return total.rem(self.factor)

    def is_zero(self, poly: PolyElement) -> bool:
        return self.reduce(poly) == 0

    def exact(self, poly: PolyElement) -> sympy.Expr:
        """poly at this solution as an exact SymPy number."""
        reduced = self.reduce(poly)
        if self.rational:
            return reduced.as_expr() if reduced else sympy.Integer(0)
        if reduced.degree() <= 0:
            return reduced.as_expr() if reduced else sympy.Integer(0)
        if self.factor.degree() > 2:
            with mpmath.workdps(PRECISION):
                return _in_own_terms(reduced, self.factor, _horner(reduced, self.root))
        value = reduced.as_expr().subs(_T.as_expr(), self.root_expr())
        return sympy.radsimp(sympy.expand(value))

    def root_expr(self) -> sympy.Expr:
        poly = sympy.Poly(self.factor.as_expr(), _T.as_expr())
        if poly.degree() == 2:
            return sorted(poly.real_roots(), key=lambda r: float(r))[self.index]
        return sympy.CRootOf(poly, self.index)


def _in_own_terms(reduced: PolyElement, factor: PolyElement, approx) -> sympy.Expr:
    """The number reduced(t), t a root of the irreducible factor, through its own minimal
    polynomial (from the characteristic polynomial of multiplication by it modulo factor):
    rational, radicals when SymPy finds short ones, else its own CRootOf; the root nearest
    `approx` is the one meant."""
    d = factor.degree()
    columns, power = [], _T_RING.one
    for _ in range(d):
        product = (reduced * power).rem(factor)
        columns.append([product.coeff(_T**i) if i else product.coeff(1) for i in range(d)])
        power = (power * _T).rem(factor)
    matrix = DomainMatrix([[columns[j][i] for j in range(d)] for i in range(d)], (d, d),
                          sympy.QQ)
    minimal = _T_RING.from_list(matrix.charpoly()).sqf_part().monic()
    if minimal.degree() == 1:
        return sympy.QQ.to_sympy(-minimal.coeff(1))
    as_poly = sympy.Poly(minimal.as_expr(), _T.as_expr()).as_expr()
    minimal_x = sympy.Poly(as_poly.subs(_T.as_expr(), _X), _X)
    if minimal.degree() == 2:
        roots = minimal_x.real_roots()
    else:
        roots = _radical_roots(minimal_x, minimal)
    if roots is None:  # CRootOf: the real root whose index is that of the nearest
        with mpmath.workdps(PRECISION):
            found = _real_roots(minimal)
            index = min(range(len(found)), key=lambda i: abs(found[i] - approx))
        return sympy.CRootOf(minimal_x, index)
    with mpmath.workdps(PRECISION):
        return min(roots, key=lambda r: abs(mpmath.mpf(sympy.N(r, PRECISION)) - approx))


def _radical_roots(minimal: sympy.Poly, ring_poly: PolyElement) -> list | None:
    """The real roots of an irreducible polynomial (degree 3 or more) in short radicals
    when SymPy finds them (e.g. a biquadratic), else None. A quartic whose resolvent cubic
    has no rational root has no roots in square roots alone, so it is not tried."""
    if minimal.degree() > 4 or (minimal.degree() == 4 and not _quartic_in_square_roots(
            ring_poly)):
        return None
    count = minimal.count_roots()
    short = [r for r in sympy.roots(minimal) if sympy.count_ops(r) <= 24]
    found = [r for r in short if not r.has(sympy.I)
             and all(a.is_real for a in r.as_numer_denom())]
    return found if len(found) == count else None


def _quartic_in_square_roots(quartic: PolyElement) -> bool:
    """Whether the resolvent cubic of a monic quartic has a rational root."""
    _, a, b, c, d = (quartic.coeff(_T**i) if i else quartic.coeff(1) for i in range(4, -1, -1))
    cubic = [sympy.QQ(1), -b, a * c - 4 * d, 4 * b * d - a * a * d - c * c]
    scale = math.lcm(*(int(q.denominator) for q in cubic))
    integer = [int(q * scale) for q in cubic]  # q | integer[0] for a rational root p / q
    if not integer[-1]:
        return True
    with mpmath.workdps(PRECISION):
        if max(abs(x) for x in integer) > mpmath.mpf(10) ** (PRECISION // 3):
            resolvent = _T_RING.from_list(cubic)
            return any(f.degree() == 1 for f, _ in resolvent.factor_list()[1])
        found = mpmath.polyroots(integer, maxsteps=200, extraprec=PRECISION)
        candidates = {int(mpmath.nint(mpmath.re(z) * integer[0])) for z in found
                      if abs(mpmath.im(z)) < 1e-20 * max(1, abs(z))}
    return any(_T_RING.from_list(cubic)(sympy.QQ(p, integer[0])) == 0 for p in candidates)


def real_solutions(polys: list[PolyElement], base) -> list[RealSolution] | None:
    """Every real solution of polys = 0 (polynomials of the lex ring `base`), or None when
    the complex solution set is positive-dimensional."""
    polys = [p for p in polys if p]
    n = base.ngens
    if n == 0:
        return [] if polys else [RealSolution((), _T - 1, 0, mpmath.mpf(1))]
    if not polys:
        return None
    basis = _lex_basis(polys, base)
    if basis is None:
        return None
    if _inconsistent(basis):
        return []
    found = _shape_solutions(basis, n)
    for attempt in range(1, 6):
        if found is not None:
            return found
        lifted_ring = ring([str(g) for g in base.gens] + ["z_"], sympy.QQ, lex)[0]
        lifted = [p.set_ring(lifted_ring) for p in polys]
        coefficients = np.random.default_rng(attempt).integers(1, 4 * attempt + 3, size=n)
        form = sum((int(c) * g for c, g in zip(coefficients, lifted_ring.gens[:n])),
                   lifted_ring.zero)
        basis = _lex_basis(lifted + [lifted_ring.gens[n] - form], lifted_ring)
        found = _shape_solutions(basis, n + 1)
        if found is not None:
            return [RealSolution(s.coords[:n], s.factor, s.index, s.root) for s in found]
    raise ArithmeticError("no linear form put the basis in shape position")  # pragma: no cover


def independent_variables(polys: list[PolyElement], base) -> list[int]:
    """A largest set of unknowns (indices) that no leading monomial of a grevlex basis lies
    in: coordinates that can be fixed freely on a positive-dimensional solution set."""
    polys = [p for p in polys if p]
    if not polys:
        return list(range(base.ngens))
    degree_ring = base.clone(order=grevlex)
    basis = groebner([p.set_ring(degree_ring) for p in polys], degree_ring)
    leads = [{i for i, e in enumerate(p.LM) if e} for p in basis]
    for size in range(base.ngens, 0, -1):
        for subset in itertools.combinations(range(base.ngens), size):
            if not any(lead <= set(subset) for lead in leads):
                return list(subset)
    return []


def _lex_basis(polys, base):
    """The reduced lex basis, or None when the solution set is positive-dimensional."""
    if base.ngens < FGLM_FROM:
        basis = groebner(polys, base)
        return basis if _inconsistent(basis) or _zero_dimensional(basis, base.ngens) else None
    degree_ring = base.clone(order=grevlex)
    basis = groebner([p.set_ring(degree_ring) for p in polys], degree_ring)
    if _inconsistent(basis):
        return basis
    if not _zero_dimensional(basis, base.ngens):
        return None
    return [p.set_ring(base) for p in matrix_fglm(basis, degree_ring, lex)]


def _inconsistent(basis) -> bool:
    return any(p.is_ground and p for p in basis)


def _zero_dimensional(basis, n: int) -> bool:
    pure = {next(i for i, e in enumerate(p.LM) if e) for p in basis
            if sum(1 for e in p.LM if e) == 1}
    return len(pure) == n


def _shape_solutions(basis, n: int) -> list[RealSolution] | None:
    """Solutions of a lex basis [x_i - h_i(x_n), ..., f(x_n)]; None for another form."""
    if len(basis) != n:
        return None
    last = None
    maps: dict[int, PolyElement] = {}
    for p in basis:
        if all(not any(m[:-1]) for m in p.monoms()):
            last = p
            continue
        lead = p.LM
        if sum(lead) != 1 or lead[-1]:
            return None
        i = lead.index(1)
        rest = p - p.LC * p.ring.gens[i]
        if any(any(m[:-1]) for m in rest.monoms()):
            return None
        maps[i] = _to_t(-rest * (1 / p.LC) if rest else rest)
    if last is None or len(maps) != n - 1:
        return None
    coords = tuple(maps.get(i, _T) for i in range(n))
    out = []
    for factor, _ in _to_t(last).sqf_part().factor_list()[1]:
        factor = factor.monic()
        for index, root in enumerate(_real_roots(factor)):
            reduced = tuple(c.rem(factor) for c in coords)
            out.append(RealSolution(reduced, factor, index, root))
    return out


def _to_t(p: PolyElement) -> PolyElement:
    """A polynomial in only the last variable, as an element of QQ[t]."""
    return _T_RING.from_dict({(m[-1],): c for m, c in p.terms()}) if p else _T_RING.zero


def _real_roots(factor: PolyElement) -> list:
    """The real roots of an irreducible polynomial at PRECISION digits, ascending."""
    coeffs = [factor.coeff(_T**d) for d in range(factor.degree(), -1, -1)]
    with mpmath.workdps(PRECISION):
        coeffs = [mpmath.mpf(int(c.numerator)) / int(c.denominator) for c in coeffs]
        if len(coeffs) == 2:
            return [-coeffs[1] / coeffs[0]]
        count = sympy.Poly(factor.as_expr(), _T.as_expr()).count_roots()
        if count == 0:
            return []
        quick = _polished_roots(coeffs, count)
        if quick is not None:
            return quick
        found = mpmath.polyroots(coeffs, maxsteps=400, extraprec=4 * PRECISION)
        nearest = sorted(found, key=lambda z: abs(mpmath.im(z)))[:count]
        return sorted(mpmath.re(z) for z in nearest)


def _polished_roots(coeffs: list, count: int) -> list | None:
    """The `count` real roots of a squarefree polynomial (mpf coefficients, highest first):
    double-precision roots polished by Newton's method at the working precision; None
    unless exactly `count` distinct real roots are reached (then they are all of them)."""
    floats = np.array([float(c) for c in coeffs])
    if not np.all(np.isfinite(floats)) or floats[0] == 0:
        return None
    starts = sorted(np.roots(floats), key=lambda z: abs(z.imag))[:count]
    tol = mpmath.mpf(10) ** (-mpmath.mp.dps + 5)
    found = []
    for z in starts:
        x = mpmath.mpf(float(z.real))
        for _ in range(200):
            value, slope = mpmath.polyval(coeffs, x, derivative=True)
            if not slope:
                return None
            step = value / slope
            x -= step
            if abs(step) <= tol * max(1, abs(x)):
                break
        else:
            return None
        found.append(x)
    found.sort()
    gaps = [b - a for a, b in zip(found, found[1:])]
    if any(g <= mpmath.mpf(10) ** -20 * max(1, abs(a)) for g, a in zip(gaps, found)):
        return None
    return found


def _horner(poly: PolyElement, x):
    if not poly:
        return mpmath.mpf(0)
    value = mpmath.mpf(0)
    for d in range(poly.degree(), -1, -1):
        c = poly.coeff(_T**d) if d else poly.coeff(1)
        value = value * x + mpmath.mpf(int(c.numerator)) / int(c.denominator)
    return value
