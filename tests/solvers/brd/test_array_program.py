"""Array programs compiled from Model expressions: points agree with the evaluator, and
interval enclosures contain every value over their box."""
from __future__ import annotations

import numpy as np
import pytest
import sympy

from gamespec.language.loader import model_from_string
from gamespec.model import FiniteSet
from gamespec.solvers.brd.aggregate_payoff import PlanPayoff, drift_box
from gamespec.solvers.brd.aggregate_plan import batch_rows, plan_aggregates
from gamespec.solvers.brd.aggregative import AggregateState
from gamespec.solvers.brd.array_program import (
    Absolute,
    Choice,
    Const,
    Layout,
    Leaf,
    Monotone,
    Mul,
    Power,
    Quotient,
    Relation,
    Slot,
)
from gamespec.solvers.brd.engine import random_profile
from gamespec.solvers.brd.grouped import plan_grouping
from gamespec.solvers.brd.method import ModelOracle

BASE = ("set I = 1..50\nset X = 1..6\nparam c[i in I] = 1 + (i - 3 * floor(i / 3)) / 3\n"
        "param w[i in I, x in X] = 0.05 + ((i * x) - 5 * floor(i * x / 5)) / 5\n"
        "players pl[i in I] { choose b in {0, 1, 2} }\n")
PAYOFFS = [
    "-sum(x in X : x > 1) (mean(i in I) w[i, x] * b[i])"
    " * ln(mean(i in I) w[i, x] * (b[i] + 1))",
    "-(sum(i in I) c[i] * b[i] - 9)^2 + sqrt(1 + sum(i in I) b[i]) - exp(-mean(i in I) b[i])",
    "(sum(i in I) [max(x in X) abs(ln((mean(j in I) w[j, x] * (b[j] + 1)) / w[i, x])) <= 1.5])"
    " - (min(x in X) (sum(i in I) w[i, x] * b[i] - 2 * x)^2) / 50",
    "0.1 * count(i in I : b[i] == 2) + (sum(i in I) c[i] * b[i] * ln(1 + mean(j in I) b[j]))",
    # ln of a ratio split into a fixed part and a dot product (x = 1 filtered out: its
    # weight is 0, so ln(0) stays out), and a weighted mean
    "-sum(x in X : x > 1) (x - 1) * ln((x - 1) / mean(i in I) w[i, x] * b[i])"
    " + mean(x in X) x * ln(mean(i in I) w[i, x] * (b[i] + 1))",
]


def _plan(payoff: str, base: str = BASE):
    model = model_from_string(base + f"common payoff = {payoff}\n", "t.game")
    return model, plan_aggregates(model, plan_grouping(model)[0])


NESTED = ("set I = 1..50\nset X = 1..6\nset Y = 1..3\nparam q[x in X] = x / 21\n"
          "param q2[x in X, y in Y] = (x + y) / 30\nparam r[x in X, y in Y] = x - 2 * y\n"
          "param w[i in I, x in X] = 0.05 + ((i * x) - 5 * floor(i * x / 5)) / 5\n"
          "players pl[i in I] { choose b in {0, 1, 2} }\n"
          "let A[x in X] = mean(i in I) w[i, x] * (b[i] + 1)\nlet B = sum(i in I) b[i]\n")
NESTED_PAYOFFS = [
    # bodies constant along the summed axis: every element of the set still counts
    "sum(x in X) sum(y in Y) q[x] * A[x] + sum(y in Y) ln(B + 1)",
    "sum(x in X) mean(y in Y) ln(A[x]) - sum(x in X) sum(y in Y : y > 1) A[x]^2",
    # a split ln of a ratio and an aggregate indexed by an inner sum's variable
    "sum(y in Y) sum(x in X) q2[x, y] * ln(q2[x, y] / A[x]) + sum(y in Y) sum(x in X) r[x, y] * A[x]",
]


@pytest.mark.parametrize(("base", "payoff"), [(BASE, p) for p in PAYOFFS]
                         + [(NESTED, p) for p in NESTED_PAYOFFS])
def test_compiled_terms_add_up_to_the_common_payoff(base, payoff):
    model, plan = _plan(payoff, base)
    payoff_object = PlanPayoff(plan)
    plain = ModelOracle(model)
    for seed in range(4):
        profile = random_profile([3] * 50, seed)
        N = plan.game.counts(profile)
        state = AggregateState(plan.game.aggregate_from_counts(N), N, 50)
        with np.errstate(all="ignore"):
            got = payoff_object.value(state)
        assert got == pytest.approx(plain.common_payoff(profile), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("payoff", PAYOFFS)
def test_enclosures_contain_the_values_at_sampled_points_of_their_box(payoff):
    _, plan = _plan(payoff)
    rng = np.random.default_rng(0)
    programs = [(t.program, t.rank) for t in plan.smooth_terms + plan.member_terms]
    programs += [(t.curvature.program, t.curvature.rank) for t in plan.smooth_terms
                 if t.curvature is not None]
    checked = 0
    with np.errstate(all="ignore"):
        for _ in range(5):
            profile = rng.integers(0, 3, 50)
            N = plan.game.counts(profile)
            S = plan.game.aggregate_from_counts(N)
            for tau in (1e-3, 0.05, 0.5):
                lo, hi = drift_box(S[None], tau)
                inside = lo + rng.random((40, S.shape[0])) * (hi - lo)
                for program, rank in programs:
                    a, b = program.interval(lo, hi)
                    points = np.asarray(program.point(inside), dtype=float)
                    if points.ndim == rank:  # a constant: no batch axis
                        points = points[None]
                    width = points.reshape(points.shape[0], -1).shape[1]
                    a, b = batch_rows(a, rank, 1, width), batch_rows(b, rank, 1, width)
                    points = batch_rows(points, rank, 40, width)
                    slack = 1e-9 * (1 + np.abs(points))
                    ok = ~np.isfinite(points) | ((a - slack <= points) & (points <= b + slack))
                    assert ok.all()
                    checked += 1
    assert checked >= 15


def _leaf():
    x = sympy.Symbol("x")
    return Leaf(Slot(0, (x,), (1,)), Layout((x,), (FiniteSet("X", (1,), None),)))


@pytest.mark.parametrize(("node", "lo", "hi", "want"), [
    (Power(_leaf(), 2.0), -1.0, 2.0, (0.0, 4.0)),         # a square straddling zero
    (Power(_leaf(), -1.0), -1.0, 2.0, (-np.inf, np.inf)),  # a reciprocal through zero
    (Power(_leaf(), -1.0), 0.5, 2.0, (0.5, 2.0)),
    (Power(_leaf(), 3.0), -2.0, 1.0, (-8.0, 1.0)),
    (Absolute(_leaf()), -3.0, 1.0, (0.0, 3.0)),
    (Monotone(np.log, _leaf()), 1.0, np.e, (0.0, 1.0)),
    (Mul([_leaf(), _leaf()]), -2.0, 3.0, (-6.0, 9.0)),    # no dependency tracking: sound
    (Mul([Const(np.array([-2.0])), _leaf()]), 1.0, 3.0, (-6.0, -2.0)),
    (Quotient(Const(np.array([3.0])), _leaf()), 1.0, 3.0, (1.0, 3.0)),
])
def test_interval_rules(node, lo, hi, want):
    with np.errstate(all="ignore"):
        a, b = node.interval(np.array([[lo]]), np.array([[hi]]))
    assert (float(np.ravel(a)[0]), float(np.ravel(b)[0])) == pytest.approx(want)


@pytest.mark.parametrize(("lo", "hi", "surely", "possibly"), [
    (0.0, 0.9, True, True), (1.1, 2.0, False, False), (0.5, 1.5, False, True),
])
def test_relations_and_piecewise_are_decided_only_when_the_whole_box_agrees(
        lo, hi, surely, possibly):
    relation = Relation(sympy.Le, _leaf(), Const(np.array([1.0])))
    s, p = relation.interval(np.array([[lo]]), np.array([[hi]]))
    assert (bool(np.ravel(s)[0]), bool(np.ravel(p)[0])) == (surely, possibly)
    from gamespec.solvers.brd.array_program import Always
    bracket = Choice([Const(np.array([1.0])), Const(np.array([0.0]))], [relation, Always()])
    a, b = bracket.interval(np.array([[lo]]), np.array([[hi]]))
    decided = float(np.ravel(a)[0]) == float(np.ravel(b)[0])
    assert decided == (surely or not possibly)


@pytest.mark.parametrize("op", [sympy.Le, sympy.Lt, sympy.Ge, sympy.Gt, sympy.Eq, sympy.Ne])
def test_a_relation_with_an_unknown_side_is_undecided(op):
    # ln of a box through zero is NaN (nothing known): no relation may be decided on it,
    # else a window is proved constant where the value flips
    relation = Relation(op, Monotone(np.log, _leaf()), Const(np.array([0.5])))
    with np.errstate(all="ignore"):
        s, p = relation.interval(np.array([[-1.0]]), np.array([[2.0]]))
    assert (bool(np.ravel(s)[0]), bool(np.ravel(p)[0])) == (False, True)


def _leaves(size: int):
    x = sympy.Symbol("x")
    return Leaf(Slot(0, (x,), (size,)), Layout((x,), (FiniteSet("X", tuple(range(size)), None),)))


@pytest.mark.parametrize("rows", [
    [[0.5, 2.0, 1.5], [3.0, 0.2, 1.0]],
    [[0.5, -2.0, 1.5], [np.nan, 1.0, 1.0]],   # out of ln's domain, NaN: NaN either way
    [[0.0, 2.0, 1.0], [np.inf, 1.0, 1.0]],
])
def test_a_largest_magnitude_is_taken_before_the_function_with_the_same_values(rows):
    from gamespec.solvers.brd.array_program import LargestMagnitude, Reduce, reduced
    mask = np.ones((3,), bool)
    node = reduced("max", Absolute(Monotone(np.log, _leaves(3))), mask, (-1,))
    assert isinstance(node, LargestMagnitude)
    literal = Reduce("max", Absolute(Monotone(np.log, _leaves(3))), mask, (-1,))
    S = np.array(rows)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(node.point(S), literal.point(S))
        lo, hi = np.array([[0.5, 0.2, 1.0]]), np.array([[0.8, 4.0, 2.0]])
        a, b = node.interval(lo, hi)
        c, d = literal.interval(lo, hi)
    assert (a.item(), b.item()) == pytest.approx((np.log(1 / 0.8), np.log(1 / 0.2)))
    assert a.item() >= c.item() and b.item() == pytest.approx(d.item())  # never looser


def test_a_weighted_sum_falls_back_to_the_filtered_reduction_where_a_value_is_not_finite():
    from gamespec.solvers.brd.array_program import Reduce, WeightedSum, reduced
    mask = np.array([False, True, True])
    body = Mul([Const(np.array([0.0, 2.0, 3.0])), Monotone(np.log, _leaves(3))])
    node = reduced("sum", body, mask, (-1,))
    assert isinstance(node, WeightedSum)
    literal = Reduce("sum", body, mask, (-1,))
    S = np.array([[0.0, 1.5, 2.0],     # ln 0 where the filter drops it
                  [1.0, 0.5, 4.0],
                  [1.0, -1.0, 4.0]])   # NaN where it keeps it
    with np.errstate(all="ignore"):
        got, want = node.point(S), literal.point(S)
    np.testing.assert_allclose(got[:2], want[:2], rtol=1e-15)
    assert np.isfinite(got[:2]).all() and np.isnan(got[2]).all() and np.isnan(want[2]).all()


def _two_leaves():
    x = sympy.Symbol("x")
    layout = Layout((x,), (FiniteSet("X", (0, 1), None),))
    return (Leaf(Slot(0, (x,), (1,)), layout), Leaf(Slot(1, (x,), (1,)), layout))


def _minus_one(node):
    from gamespec.solvers.brd.array_program import Add
    return Add([node, Const(np.array([-1.0]))])


@pytest.mark.parametrize(("name", "lo", "hi", "inside"), [
    # NaN points inside the box (ln or sqrt below 0, 0 * inf): a relation that holds
    # wherever the value is a number must still be undecided there
    ("ln below 0", [0.9, 0.0], [1.1, 0.0], [0.95, 0.0]),
    ("abs of sqrt below 0", [0.5, 0.0], [2.0, 0.0], [0.7, 0.0]),
    ("square of 1 / ln", [-1.0, 0.0], [3.0, 0.0], [-0.5, 0.0]),
    ("abs of 0 / 0", [0.5, 0.5], [2.0, 2.0], [1.0, 1.0]),
])
def test_a_nan_point_inside_the_box_keeps_relations_undecided(name, lo, hi, inside):
    s0, s1 = _two_leaves()
    value = {
        "ln below 0": lambda: Monotone(np.log, _minus_one(s0)),
        "abs of sqrt below 0": lambda: Absolute(Monotone(np.sqrt, _minus_one(s0))),
        "square of 1 / ln": lambda: Power(Power(Monotone(np.log, s0), -1.0), 2.0),
        "abs of 0 / 0": lambda: Absolute(Mul([_minus_one(s0), Power(_minus_one(s1), -1.0)])),
    }[name]()
    op = sympy.Le if name == "ln below 0" else sympy.Ge
    relation = Relation(op, value, Const(np.array([0.0])))
    with np.errstate(all="ignore"):
        point = relation.point(np.array([inside]))
        surely, possibly = relation.interval(np.array([lo]), np.array([hi]))
    assert not bool(np.ravel(point)[0])  # NaN compares false
    assert not bool(np.ravel(surely)[0]) and bool(np.ravel(possibly)[0])


def test_max_of_ln_stays_nan_when_an_entry_is_below_zero():
    from gamespec.solvers.brd.array_program import Reduce, reduced
    mask = np.ones((2,), bool)
    node = reduced("max", Monotone(np.log, _leaves(2)), mask, (-1,))
    literal = Reduce("max", Monotone(np.log, _leaves(2)), mask, (-1,))
    S = np.array([[-1.0, 2.0], [0.5, 2.0]])
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(node.point(S), literal.point(S))
        assert np.isnan(node.point(S[:1])).all()


def test_a_quotient_on_a_point_box_rounds_as_its_point():
    quotient = Quotient(Const(np.array([49.0])), _leaf())
    S = np.array([[49.0]])
    a, b = quotient.interval(S, S)
    assert a.item() == b.item() == quotient.point(S).item() == 1.0
    equal = Relation(sympy.Eq, quotient, Const(np.array([1.0])))
    assert bool(np.ravel(equal.interval(S, S)[0])[0])
