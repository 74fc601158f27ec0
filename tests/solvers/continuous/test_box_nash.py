"""`continuous` Nash for named players choosing a box (two or three intervals at once):
closed forms derived by hand, the joint certificate against a brute-force grid, refusals."""
from __future__ import annotations

import numpy as np
import pytest
import sympy

from gamespec.analysis import classify
from gamespec.language.loader import model_from_string
from gamespec.solvers.continuous.global_gain import PayoffTable, max_unilateral_gain
from gamespec.solvers.continuous.method import ENTRY, solve

TWO_PRODUCTS = """game "two products, two firms"
param a = A
player f1 { choose q1 in [0, 10]  choose r1 in [0, 10] }
player f2 { choose q2 in [0, 10]  choose r2 in [0, 10] }
payoff f1 = q1 * (a - q1 - q2) + r1 * (a - r1 - r2) - q1 * r1 / 2
payoff f2 = q2 * (a - q1 - q2) + r2 * (a - r1 - r2) - q2 * r2 / 2
"""

# Cournot in two markets with a cost convex in a firm's total output.
TWO_MARKETS = """game "two-market Cournot"
param A = AV
param B = BV
player f1 { choose q1 in [0, 20]  choose r1 in [0, 20] }
player f2 { choose q2 in [0, 20]  choose r2 in [0, 20] }
payoff f1 = q1 * (A - q1 - q2) + r1 * (B - r1 - r2) - (q1 + r1)^2 / 2
payoff f2 = q2 * (A - q1 - q2) + r2 * (B - r1 - r2) - (q2 + r2)^2 / 2
"""


def _solve(text: str):
    model = model_from_string(text, "t.game")
    ok, reason = ENTRY.fits(model, classify(model))
    assert ok, reason
    return model, solve(model, classify(model), {})


@pytest.mark.parametrize("a", [10, 7])
def test_two_products_match_the_hand_solved_first_order_conditions(a):
    # FOCs of f1: a - 2 q1 - q2 - r1/2 = 0, a - 2 r1 - r2 - q1/2 = 0 (f2 alike): the 4x4
    # linear system, solved here exactly, has every choice at 2a/7.
    q1, r1, q2, r2 = xs = sympy.symbols("q1 r1 q2 r2")
    focs = [a - 2 * q1 - q2 - r1 / 2, a - 2 * r1 - r2 - q1 / 2,
            a - 2 * q2 - q1 - r2 / 2, a - 2 * r2 - r1 - q2 / 2]
    exact = sympy.solve(focs, xs, dict=True)
    assert len(exact) == 1 and set(exact[0].values()) == {sympy.Rational(2 * a, 7)}
    _, result = _solve(TWO_PRODUCTS.replace("A", str(a)))
    assert result.certificate.ok and result.extra["search_exhaustive"]
    assert len(result.extra["equilibria"]) == 1
    x = 2 * a / 7
    for name in ("f1.q1", "f1.r1", "f2.q2", "f2.r2"):
        assert result.strategies[name] == pytest.approx(x, abs=1e-9)
        assert result.extra["equilibria"][0]["exact"][name] == sympy.sstr(
            sympy.Rational(2 * a, 7))
    value = 2 * x * (a - 2 * x) - x * x / 2
    assert result.values == pytest.approx({"f1": value, "f2": value}, abs=1e-9)


@pytest.mark.parametrize("A, B, q, r", [(10, 4, 12 / 5, 2 / 5),  # interior
                                        (10, 1, 5 / 2, 0.0)])  # r at its lower end
def test_two_market_cournot_interior_and_corner(A, B, q, r):
    # Symmetric FOCs: A - 4q - r = 0 and B - 4r - q = 0, so q = (4A - B)/15,
    # r = (4B - A)/15; when that r < 0 the corner r = 0 gives q = A/4 (slope B - q < 0).
    _, result = _solve(TWO_MARKETS.replace("AV", str(A)).replace("BV", str(B)))
    assert result.certificate.ok and len(result.extra["equilibria"]) == 1
    assert result.strategies == pytest.approx(
        {"f1.q1": q, "f1.r1": r, "f2.q2": q, "f2.r2": r}, abs=1e-9)


def test_the_joint_certificate_agrees_with_a_brute_force_grid():
    model, result = _solve(TWO_PRODUCTS.replace("A", "10"))
    q1, r1, q2, r2 = (sympy.Symbol(n, real=True) for n in ("q1", "r1", "q2", "r2"))
    u1 = q1 * (10 - q1 - q2) + r1 * (10 - r1 - r2) - q1 * r1 / 2
    u2 = u1.xreplace({q1: q2, q2: q1, r1: r2, r2: r1})
    table = PayoffTable([u1, u1, u2, u2], [q1, r1, q2, r2], [(0, 10)] * 4,
                        groups=[[0, 1], [2, 3]])
    grid = np.linspace(0, 10, 401)
    x, y = np.meshgrid(grid, grid, indexing="ij")
    for point in ([0.0, 0.0, 0.0, 0.0], [5.0, 1.0, 2.0, 3.0]):
        check = max_unilateral_gain(table, point)
        u = x * (10 - x - point[2]) + y * (10 - y - point[3]) - x * y / 2
        here = float(table.value(0, point))
        assert check.gains[0] == pytest.approx(u.max() - here, abs=1e-3)
        assert check.gains[0] >= u.max() - here - 1e-9  # never less than the grid's
    point = [result.strategies[n] for n in ("f1.q1", "f1.r1", "f2.q2", "f2.r2")]
    u = x * (10 - x - point[2]) + y * (10 - y - point[3]) - x * y / 2
    assert u.max() <= result.values["f1"] + 1e-9
    assert max_unilateral_gain(table, point).residual == pytest.approx(0, abs=1e-9)


def test_a_saddle_point_of_a_box_is_not_an_equilibrium():
    # u = x*y on [-1, 1]^2: (0, 0) solves both first-order conditions and no single
    # choice gains there, but moving both does; the optima are (1, 1) and (-1, -1).
    _, result = _solve("player p { choose x in [-1, 1]  choose y in [-1, 1] }\n"
                       "payoff p = x * y\n")
    points = sorted(tuple(e["profile"].values()) for e in result.extra["equilibria"])
    assert points == [(-1.0, -1.0), (1.0, 1.0)]


def test_three_choices_alone_match_the_optimum():
    # maximise -(x-1)^2 - (y-2)^2 - (z-3)^2 + x*y/2 over [0, 5]^3: z = 3 and
    # 2(x-1) = y/2, 2(y-2) = x/2 give x = 24/15 = 8/5, y = 12/5.
    _, result = _solve("player p { choose x in [0, 5]  choose y in [0, 5]  "
                       "choose z in [0, 5] }\n"
                       "payoff p = -(x-1)^2 - (y-2)^2 - (z-3)^2 + x*y/2\n")
    assert result.certificate.ok
    assert result.strategies == pytest.approx({"p.x": 8 / 5, "p.y": 12 / 5, "p.z": 3})


@pytest.mark.parametrize("text, words", [
    ("player p { choose w in [0, 1]  choose x in [0, 1]  choose y in [0, 1]  "
     "choose z in [0, 1] }\npayoff p = w + x + y + z\n", "at most 3 intervals"),
    ("set F = 1..2\nplayers f[i in F] { choose x in [0, 1]  choose y in [0, 1] }\n"
     "payoff f = x[i] + y[i]\n", "only named players choose boxes"),
    ("player p { choose x in [0, 1]  choose y in [0, 1] }\nplayer o { choose z in [0, 1] }\n"
     "order p -> o\npayoff p = x + y + z\npayoff o = z\n", "simultaneous Nash only"),
])
def test_boxes_the_method_does_not_take_are_refused_with_the_reason(text, words):
    model = model_from_string(text, "t.game")
    ok, reason = ENTRY.fits(model, classify(model))
    assert not ok and words in reason
