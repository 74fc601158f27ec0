"""Issue 18 remainders: the closed form of a symmetric family for any family size (derive),
exact numbers at the given size (solve), asymmetric equilibria of symmetric families, and
Stackelberg reported from its closed form when a global check certifies it. Oracles:
textbook formulas and brute force on grids, at several parameter values."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import sympy

from gamespec.analysis import classify
from gamespec.api import derive_model
from gamespec.language.loader import load_model, model_from_string
from gamespec.solvers.continuous.method import solve

SPECS = Path(__file__).resolve().parents[3] / "specs"
a, b, c, n = sympy.symbols("a b c n", real=True)


def run(model):
    return solve(model, classify(model), {})


def derived_items(model) -> dict:
    out = {}
    for _, items in derive_model(model).sections:
        for label, value in items:
            out[label] = value
    return out


@pytest.mark.parametrize("size", [2, 5, 9])
def test_derive_gives_the_cournot_closed_form_for_any_n(size):
    model = load_model(SPECS / "cournot_n_firms.game", {"n": size})
    items = derived_items(model)
    text = items["closed form (any n): q[i]"]
    general = text.split("   where ")[0]
    assert general == "(a - c)/(b*(n + 1))"  # Tirole (1988), section 5.4
    at_size = items[f"closed form at n = {size}: q[1]"]
    assert sympy.simplify(at_size - ((a - c) / (b * (n + 1))).subs(n, size)) == 0
    assert "agrees" in items["firms: check"]


def test_derive_public_goods_states_when_the_corner_holds():
    items = derived_items(load_model(SPECS / "public_goods.game"))
    assert items["closed form (any n): x[i]"] == "0   where (-n + r)/n <= 0"  # r / n <= 1
    high = derived_items(load_model(SPECS / "public_goods.game", {"r": 7}))
    assert high["closed form (any n): x[i]"] == "e   where (-n + r)/n >= 0"


@pytest.mark.parametrize("values", [(10, 1, 1, 5), (20, 2, 4, 3), (7, 0.5, 2, 6)])
def test_solve_keeps_the_exact_number_at_the_given_size(values):
    av, bv, cv, nv = values
    model = load_model(SPECS / "cournot_n_firms.game", {"a": av, "b": bv, "c": cv, "n": nv})
    result = run(model)
    expected = (av - cv) / (bv * (nv + 1))
    assert list(result.strategies.values()) == pytest.approx([expected] * nv)
    assert result.extra["search_exhaustive"]  # asymmetric cases searched too
    assert result.covers.startswith("all pure equilibria")
    assert result.certificate.ok


SUBSTITUTES = """
param n = 3
set F = 1..n
players firms[i in F] { choose x in [0, 1] }
payoff firms = x[i] * (1 - x[i] - 3 * sum(j in F : j != i) x[j])
"""


def _brute_force_equilibria(grid_step: int = 40) -> set:
    """Profiles on the grid k / 40 where no member gains by a deviation on a fine grid."""
    xs = np.arange(grid_step + 1) / grid_step
    fine = np.linspace(0.0, 1.0, 4001)
    found = set()
    for profile in itertools.product(xs, repeat=3):
        ok = True
        for i in range(3):
            others = sum(profile) - profile[i]
            here = profile[i] * (1 - profile[i] - 3 * others)
            if (fine * (1 - fine - 3 * others)).max() > here + 1e-12:
                ok = False
                break
        if ok:
            found.add(tuple(round(v, 6) for v in profile))
    return found


def test_asymmetric_equilibria_of_a_symmetric_family_are_found():
    result = run(model_from_string(SUBSTITUTES))
    found = {tuple(round(v, 6) for v in eq["profile"].values())
             for eq in result.extra["equilibria"]}
    # one firm at 1/2, two at 1/5 and one out, all at 1/8: seven in all
    assert found == _brute_force_equilibria()
    assert len(found) == 7
    assert result.extra["search_exhaustive"]
    assert all(eq["ok"] for eq in result.extra["equilibria"])
    exact = {tuple(eq["exact"].values()) for eq in result.extra["equilibria"]}
    assert ("0", "1/5", "1/5") in exact and ("1/2", "0", "0") in exact  # exact, not 0.2


def test_a_large_family_says_asymmetric_equilibria_are_not_ruled_out():
    model = load_model(SPECS / "cournot_n_firms.game", {"n": 9})
    result = run(model)
    assert not result.extra["search_exhaustive"]
    assert "asymmetric ones are not ruled out" in result.covers
    assert "not searched" in result.extra["equilibrium_search"]


STACKELBERG = """
param a = {a}
param b = {b}
param c = {c}
player leader   {{ choose q1 in [0, {cap}] }}
player follower {{ choose q2 in [0, a / b] }}
payoff leader   = (a - b * (q1 + q2)) * q1 - c * q1
payoff follower = (a - b * (q1 + q2)) * q2 - c * q2
order leader -> follower
"""


@pytest.mark.parametrize("av, bv, cv", [(10, 1, 1), (30, 2, 6), (12.5, 0.25, 0.5)])
def test_stackelberg_matches_the_textbook_closed_form(av, bv, cv):
    result = run(model_from_string(STACKELBERG.format(a=av, b=bv, c=cv, cap="a / b")))
    assert result.strategies["leader"] == pytest.approx((av - cv) / (2 * bv), rel=1e-9)
    assert result.strategies["follower"] == pytest.approx((av - cv) / (4 * bv), rel=1e-9)
    assert result.derived["closed_form"]["q1"] == "(a - c)/(2*b)"
    assert result.extra["closed_form_agrees"] is True
    assert result.certificate.ok and result.certificate.details["grid_points"] >= 400


def test_stackelberg_with_a_capped_leader_is_not_the_closed_form():
    """Leader capacity 3 < (a - c) / 2b = 4.5: the leader produces 3, the follower
    (a - c - 3b) / 2b = 3; brute force: the leader's payoff against the follower's exact
    best response on a grid."""
    result = run(model_from_string(STACKELBERG.format(a=10, b=1, c=1, cap=3)))
    grid = np.linspace(0, 3, 30001)
    follower = np.clip((10 - 1 - grid) / 2, 0, 10)
    leader = (10 - (grid + follower)) * grid - grid
    assert result.strategies["leader"] == pytest.approx(grid[np.argmax(leader)], abs=1e-4)
    assert result.strategies["follower"] == pytest.approx(3.0, abs=1e-4)
    assert result.extra["closed_form_agrees"] is False
    assert result.certificate.ok


def test_public_goods_at_r_equal_n_is_a_continuum_not_an_exhaustive_list():
    """r / n = 1: every contribution is a best response to anything (a continuum of
    equilibria); the result lists ends and a midpoint and says it is not exhaustive."""
    result = run(load_model(SPECS / "public_goods.game", {"r": 5}))
    found = {tuple(eq["profile"].values()) for eq in result.extra["equilibria"]}
    assert set(itertools.product((0.0, 10.0), repeat=5)) <= found  # every corner profile
    assert (5.0,) * 5 in found
    assert all(eq["ok"] for eq in result.extra["equilibria"])
    assert not result.extra["search_exhaustive"]
    assert "others are not ruled out" in result.covers
    assert any("every point stationary" in note for note in result.extra["search_notes"])
