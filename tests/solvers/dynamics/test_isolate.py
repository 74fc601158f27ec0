"""A comparison solved exactly for one variable: rational forms, kept `>=`/`>`, signs
decided under declared ranges (or taken from the given values, and then stated)."""
from __future__ import annotations

import pytest
import sympy as sp

from gamespec.errors import SolverError
from gamespec.solvers.dynamics.isolate import holds_at, isolate, sign_under

d, p, x = sp.symbols("d p x", real=True)
T, R, P, S = sp.symbols("T R P S", real=True)
UNIT = {d: (0.0, 1.0), p: (0.0, 1.0)}


def test_grim_trigger_is_rational_in_the_discount_and_solved_exactly():
    # R/(1-d) >= T + d P/(1-d): a denominator in d, not a linear comparison
    ranges = {**UNIT, T: (4, 10), R: (2, 4), P: (0, 2)}
    cond = isolate(sp.GreaterThan(R / (1 - d), T + d * P / (1 - d)), d, ranges)
    assert isinstance(cond.relation, sp.GreaterThan) and cond.relation.lhs == d
    assert sp.simplify(cond.boundary - (T - R) / (T - P)) == 0
    assert cond.assumed == ()  # decided by the ranges alone


@pytest.mark.parametrize("op, kind", [(sp.GreaterThan, sp.GreaterThan),
                                      (sp.StrictGreaterThan, sp.StrictGreaterThan),
                                      (sp.LessThan, sp.LessThan),
                                      (sp.StrictLessThan, sp.StrictLessThan)])
def test_the_relation_is_kept_as_written(op, kind):
    # 3/(1-d) OP 5 + d/(1-d)  <=>  d OP' 1/2, the same strictness, direction by the sign
    cond = isolate(op(3 / (1 - d), 5 + d / (1 - d)), d, UNIT)
    assert cond.boundary == sp.Rational(1, 2)
    assert type(cond.relation) is kind


def test_a_negative_coefficient_flips_the_direction():
    cond = isolate(sp.StrictGreaterThan((1 - d) / (1 + d), sp.Rational(1, 3)), d, UNIT)
    assert isinstance(cond.relation, sp.StrictLessThan) and cond.boundary == sp.Rational(1, 2)


def test_a_sign_the_ranges_do_not_decide_comes_from_the_values_and_is_stated():
    cond = isolate(sp.GreaterThan(R / (1 - d), T + d * P / (1 - d)), d, UNIT,
                   {T: 5, R: 3, P: 1})
    assert sp.simplify(cond.boundary - (T - R) / (T - P)) == 0
    assert len(cond.assumed) == 1 and sp.simplify(cond.assumed[0].lhs - (P - T)) == 0
    with pytest.raises(SolverError, match="sign"):
        isolate(sp.GreaterThan(R / (1 - d), T + d * P / (1 - d)), d, UNIT)


def test_unsolvable_comparisons_are_solver_errors():
    with pytest.raises(SolverError, match="linear factor"):
        isolate(sp.GreaterThan(x**2 - 2, 0), x, {})
    with pytest.raises(SolverError, match="does not depend"):
        isolate(sp.GreaterThan(T, R), d, UNIT)


def test_sign_under_ranges():
    assert sign_under(T - P, {T: (4, 10), P: (0, 2)}) == 1
    assert sign_under(P - T, {T: (4, 10), P: (0, 2)}) == -1
    assert sign_under(T - P, {T: (1, 10), P: (0, 2)}) is None
    assert sign_under(1 - d * p, UNIT) == 1


@pytest.mark.parametrize("value, weak, strict", [(0.5, True, False), (0.6, True, True),
                                                 (0.4, False, False)])
def test_holds_at_the_threshold_only_when_weak(value, weak, strict):
    boundary = (T - R) / (T - P)
    point = {d: value, T: 5, R: 3, P: 1}
    assert holds_at(sp.GreaterThan(d, boundary), point)["holds"] is weak
    assert holds_at(sp.StrictGreaterThan(d, boundary), point)["holds"] is strict
    assert holds_at(sp.GreaterThan(d, boundary), point)["at_boundary"] is (value == 0.5)
    assert holds_at(sp.GreaterThan(d, boundary), {T: 5}) is None  # symbols remain
