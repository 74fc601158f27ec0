"""Populations over finite choices (issue 18, deliverable 5): equilibrium shares against
closed forms (hawk-dove V/C, Pigou, Braess with and without the bridge, El Farol's capacity
share), against a brute-force grid over the simplex (payoffs written out in NumPy here, not
through the solver), exact against numeric search, and bad input."""
from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from gamespec.api import solve_model
from gamespec.cli import main
from gamespec.language.loader import load_model

REPO = Path(__file__).resolve().parents[3]
SPECS = REPO / "specs"


def _solve(source: str, tmp_path, method=None, options=None, **params):
    path = tmp_path / "pop.game"
    path.write_text(source)
    return solve_model(load_model(str(path), params), method=method, options=options)


def _spec(name: str, options=None, **params):
    return solve_model(load_model(str(SPECS / f"{name}.game"), params), options=options)


def _shares(result) -> list[dict]:
    return [eq["profile"] for eq in result.extra["equilibria"]]


# ------------------------------------------------------------------ closed forms
@pytest.mark.parametrize("v, c", [(4, 6), (2, 6), (1, 3), (5, 7)])
def test_hawk_dove_share_is_v_over_c(v, c):
    result = _spec("hawk_dove_population", V=v, C=c)
    assert result.method == "population_shares" and result.certificate.ok
    (eq,) = result.extra["equilibria"]
    assert eq["profile"]["animals"]["Hawk"] == pytest.approx(v / c, abs=1e-12)
    assert Fraction(eq["exact"]["animals"]["Hawk"]) == Fraction(v, c)
    assert result.covers.startswith("all equilibria")


def test_hawk_dove_all_hawks_when_the_prize_exceeds_the_fight():
    (eq,) = _spec("hawk_dove_population", V=8, C=6).extra["equilibria"]
    assert eq["profile"]["animals"] == {"Hawk": 1.0, "Dove": 0.0} and eq["pure"]


PIGOU = """game "Pigou"
param d = 1
population traffic of 1000 {
  choose road in {Variable, Fixed}
  field v = mean [road == Variable]
}
payoff traffic = -(if road == Variable then v ^ d else 1)
"""


@pytest.mark.parametrize("d", [1, 2, 3])
def test_pigou_population_all_on_the_variable_road(tmp_path, d):
    result = _solve(PIGOU, tmp_path, d=d)
    (eq,) = result.extra["equilibria"]
    assert eq["profile"]["traffic"] == {"Variable": 1.0, "Fixed": 0.0}
    assert result.values["traffic"] == pytest.approx(-1.0)


@pytest.mark.parametrize("bridge, shares, minutes", [
    (1, {"Upper": 0.0, "Lower": 0.0, "Zigzag": 1.0}, 80.0),
    (0, {"Upper": 0.5, "Lower": 0.5, "Zigzag": 0.0}, 65.0),
])
@pytest.mark.parametrize("exact", [True, False])
def test_braess_with_and_without_the_bridge(bridge, shares, minutes, exact):
    result = _spec("braess_population", options={"exact": exact}, bridge=bridge)
    assert result.certificate.ok
    (eq,) = result.extra["equilibria"]
    assert eq["profile"]["drivers"] == pytest.approx(shares, abs=1e-9)
    # every used route costs the closed form; the fields are the link shares
    used = [r for r, x in shares.items() if x > 0]
    for route in used:
        assert -eq["choice_payoffs"]["drivers"][route] == pytest.approx(minutes)
    assert eq["fields"]["sa"] == pytest.approx(shares["Upper"] + shares["Zigzag"])
    assert eq["total_payoffs"]["drivers"] == pytest.approx(-4000 * minutes)  # 320,000 / 260,000
    assert result.extra["search"] == ("exact" if exact else "numeric")


def test_braess_closed_form_for_other_demands():
    # without the bridge the split is even at any demand N: N/200 + 45 each
    for n in (1000, 4000, 9000):
        result = _spec("braess_population", bridge=0, N=n)
        assert -result.values["drivers"] == pytest.approx(n / 200 + 45)
    # with the bridge everyone zigzags while N/50 <= N/100 + 45, i.e. N <= 4500 ...
    assert -_spec("braess_population", N=4500).values["drivers"] == pytest.approx(90)
    # ... above it the zigzag splits: x_U = x_L = (N - 4500)/N on the outer routes
    result = _spec("braess_population", N=6000)
    shares = result.strategies["drivers"]
    assert shares["Upper"] == pytest.approx(1500 / 6000) and shares["Zigzag"] == \
        pytest.approx(3000 / 6000)


@pytest.mark.parametrize("capacity", [0.6, 0.4, 0.75])
def test_el_farol_threshold_at_the_capacity(capacity):
    result = _spec("el_farol", capacity=capacity)
    assert result.certificate.ok and "payoff jump" in result.certificate.kind
    (eq,) = result.extra["equilibria"]
    assert eq["kind"] == "threshold" and eq["stable"]
    assert eq["profile"]["patrons"]["Attend"] == pytest.approx(capacity, abs=1e-12)
    assert Fraction(eq["exact"]["patrons"]["Attend"]) == Fraction(str(capacity))
    sides = eq["one_sided"]
    assert sides["below"] == 1.0 and sides["above"] == -1.0  # go below, stay above
    assert "numerically" in result.covers and "continuum limit" in eq["role"]


def test_el_farol_with_a_smooth_payoff_has_a_regular_equilibrium(tmp_path):
    # exp makes the payoff non-rational: the numeric edge scan finds the zero 0.6 + ln(2)/10
    source = """game "smooth bar"
population p of 100 { choose go in {Attend, Stay} field a = mean [go == Attend] }
payoff p = if go == Attend then 2 - exp(10 * (a - 0.6)) else 0
"""
    (eq,) = _solve(source, tmp_path).extra["equilibria"]
    assert eq["kind"] == "regular"
    assert eq["profile"]["p"]["Attend"] == pytest.approx(0.6 + np.log(2) / 10, abs=1e-9)


# ------------------------------------------------------------------ brute force
THREE_ROUTES = """game "three routes"
population cars of 100 {
  choose r in {A, B, C}
  field a = mean [r == A]
  field b = mean [r == B]
}
payoff cars = -(if r == A then 1 + 4 * a else if r == B then 2 + b else 3 * (1 - a - b))
"""


def _grid_gap(step: int):
    """Brute force: on a grid of the simplex, the largest gain of switching from a used
    route (costs written out here: A = 1 + 4a, B = 2 + b, C = 3c)."""
    i, j = np.meshgrid(np.arange(step + 1), np.arange(step + 1), indexing="ij")
    keep = i + j <= step
    x = np.stack([i[keep], j[keep], step - i[keep] - j[keep]], axis=1) / step
    cost = np.stack([1 + 4 * x[:, 0], 2 + x[:, 1], 3 * x[:, 2]], axis=1)
    worst_used = np.max(np.where(x > 0, cost, -np.inf), axis=1)
    return x, worst_used - np.min(cost, axis=1)


@pytest.mark.parametrize("exact", [True, False])
def test_three_routes_against_a_grid(tmp_path, exact):
    result = _solve(THREE_ROUTES, tmp_path, options={"exact": exact})
    found = [np.array(list(p["cars"].values())) for p in _shares(result)]
    assert len(found) == 1  # a congestion game with increasing costs: one equilibrium
    x_grid, gap = _grid_gap(600)
    best_x, best_gap = x_grid[np.argmin(gap)], float(np.min(gap))
    assert np.max(np.abs(best_x - found[0])) <= 2 / 600
    # and at the solver's shares no grid point does better than the grid's resolution
    cost = np.array([1 + 4 * found[0][0], 2 + found[0][1], 3 * found[0][2]])
    assert np.max(cost[found[0] > 1e-9]) - np.min(cost) <= 1e-9
    assert best_gap <= 4 / 600
    # closed form: equal costs on all three: 1 + 4a = 2 + b = 3c, a + b + c = 1
    matrix = np.array([[4, -1, 0], [4, 0, -3], [1, 1, 1]], float)
    x = np.linalg.solve(matrix, np.array([1, -1, 1], float))  # (5, 1, 13) / 19
    assert found[0] == pytest.approx(x, abs=1e-9)


COORDINATION = """game "coordination"
population people of 100 {
  choose side in {Left, Right, Middle}
  field left = mean [side == Left]
  field right = mean [side == Right]
}
payoff people = if side == Left then left else if side == Right then 2 * right
                else 1 - left - right
"""


def test_every_equilibrium_of_a_coordination_population(tmp_path):
    exact = _solve(COORDINATION, tmp_path)
    numeric = _solve(COORDINATION, tmp_path, options={"exact": False})
    expected = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (2 / 3, 1 / 3, 0), (1 / 2, 0, 1 / 2),
                (0, 1 / 3, 2 / 3), (2 / 5, 1 / 5, 2 / 5)]
    for result in (exact, numeric):
        got = sorted(tuple(round(v, 9) for v in p["people"].values()) for p in _shares(result))
        assert got == sorted(tuple(round(v, 9) for v in e) for e in expected)
        assert result.status == "equilibria" and result.certificate.ok
    # brute force: every grid point whose switching gain vanishes is one of them
    for i, j in itertools.product(range(31), repeat=2):
        if i + j > 30:
            continue
        x = np.array([i, j, 30 - i - j]) / 30
        u = np.array([x[0], 2 * x[1], x[2]])
        if np.max(u) - np.min(u[x > 0]) <= 1e-12:
            assert any(np.allclose(x, e) for e in expected), x


TWO_POPULATIONS = """game "two populations"
population men of 100 { choose m in {Opera, Football}  field mo = mean [m == Opera] }
population women of 100 { choose w in {Opera, Football}  field wo = mean [w == Opera] }
payoff men = if m == Opera then 2 * wo else 1 - wo
payoff women = if w == Opera then mo else 2 * (1 - mo)
"""


@pytest.mark.parametrize("exact", [True, False])
def test_two_populations(tmp_path, exact):
    result = _solve(TWO_POPULATIONS, tmp_path, options={"exact": exact})
    mixed = [p for p in _shares(result) if 0 < p["men"]["Opera"] < 1]
    assert len(result.extra["equilibria"]) == 3 and len(mixed) == 1
    assert mixed[0]["men"]["Opera"] == pytest.approx(2 / 3)
    assert mixed[0]["women"]["Opera"] == pytest.approx(1 / 3)


# ------------------------------------------------------------------ CLI, derive, bad input
def test_info_lists_it_and_solve_picks_it(capsys):
    assert main(["info", str(SPECS / "el_farol.game")]) == 0
    assert "population_shares: applies" in capsys.readouterr().out
    assert main(["solve", str(SPECS / "braess_population.game")]) == 0
    out = capsys.readouterr().out
    assert "method: population_shares" in out and "Zigzag 1" in out and "-80" in out


def test_derive_gives_v_over_c(capsys):
    assert main(["derive", str(SPECS / "hawk_dove_population.game")]) == 0
    out = capsys.readouterr().out
    assert "x_animals_Hawk == V/C" in out
    assert "equilibrium 1 at the parameters' values: (x_animals_Hawk == 2/3" in out


@pytest.mark.parametrize("body, where, message", [
    ("set Routes = 1..0\npopulation p of 10 { choose r in Routes  field f = mean r }\n"
     "payoff p = f", "3:34", "chooses from an empty set"),
    ("player boss { choose b in {0, 1} }\npopulation p of 10 {\n  choose r in {A, B}\n"
     "  field f = mean b\n}\npayoff p = f\npayoff boss = b", "5:3", "a strategy of `boss`"),
])
def test_bad_input_is_a_located_error(tmp_path, capsys, body, where, message):
    path = tmp_path / "bad.game"
    path.write_text('game "bad"\n' + body + "\n")
    assert main(["solve", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:{where}: error:") and message in err


def test_a_payoff_using_another_populations_choice_is_refused(tmp_path, capsys):
    path = tmp_path / "bad.game"
    path.write_text('game "bad"\npopulation a of 10 { choose x in {L, R} }\n'
                    'population b of 10 { choose y in {L, R} }\n'
                    "payoff a = [x == y]\npayoff b = 1\n")
    assert main(["info", str(path)]) == 0
    assert "the choice of a member of `b`" in capsys.readouterr().out


def _water_filling(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Wardrop shares of parallel routes with costs a + b x: routes below the level L get
    (L - a) / b, the shares summing to 1 (L found by bisection)."""
    lo, hi = float(np.min(a)), float(np.max(a + b))
    for _ in range(200):
        level = 0.5 * (lo + hi)
        lo, hi = (level, hi) if np.sum(np.maximum(0, (level - a) / b)) < 1 else (lo, level)
    return np.maximum(0, (0.5 * (lo + hi) - a) / b)


@pytest.mark.parametrize("exact", [True, False])
def test_parallel_routes_against_water_filling(tmp_path, exact):
    a = np.array([1.0, 2.0, 2.5, 4.0, 7.0])
    b = np.array([5.0, 3.0, 1.0, 2.0, 1.0])
    routes = [f"R{k}" for k in range(len(a))]
    cost = " else ".join(f"if r == {n} then {a[k]:g} + {b[k]:g} * s{k}"
                         for k, n in enumerate(routes[:-1]))
    fields = "\n".join(f"  field s{k} = mean [r == {n}]" for k, n in enumerate(routes))
    source = (f'game "parallel routes"\npopulation cars of 100 {{\n'
              f'  choose r in {{{", ".join(routes)}}}\n{fields}\n}}\n'
              f"payoff cars = -({cost} else {a[-1]:g} + {b[-1]:g} * s{len(a) - 1})\n")
    result = _solve(source, tmp_path, options={"exact": exact})
    (eq,) = result.extra["equilibria"]
    assert list(eq["profile"]["cars"].values()) == pytest.approx(_water_filling(a, b),
                                                                 abs=1e-9)


def test_shares_picture(tmp_path):
    result = _spec("el_farol", options={"figures": True})
    (panel,) = result.extra["figures"]["shares"]["panels"]
    share = np.array(panel["share"])
    attend = np.array(panel["payoffs"][0]["values"])
    assert np.all(attend[share < 0.6 - 1e-9] == 1) and np.all(attend[share > 0.6] == -1)
    assert panel["equilibria"] == [{"share": 0.6, "kind": "threshold", "selected": True}]
    assert main(["plot", str(SPECS / "hawk_dove_population.game"), "--out",
                 str(tmp_path / "hd.png")]) == 0
    assert (tmp_path / "hd.png").read_bytes()[:4] == b"\x89PNG"
    braess = _spec("braess_population", options={"figures": True})
    assert "two choices" in braess.extra["figures"]["unavailable"]["shares"]


@pytest.mark.parametrize("payoff, expected", [
    # a pole of the payoff difference at 1/2 is no threshold equilibrium
    ("if r == Top then 1 / (top - 0.5) else 1", [(1.0, 0.0), (0.0, 1.0)]),
    # 1/top is unbounded as top -> 0: all-Bottom is no equilibrium
    ("if r == Top then 1 / top else 1", [(1.0, 0.0)]),
    # log(0) = -inf for the unused Top: all-Bottom is one; log(top) = -1 at top = 1/e
    ("if r == Top then log(top) else -1", [(1.0, 0.0), (0.0, 1.0),
                                           (np.exp(-1), 1 - np.exp(-1))]),
])
@pytest.mark.parametrize("exact", [True, False])
def test_unbounded_payoffs(tmp_path, payoff, expected, exact):
    source = ('game "unbounded"\npopulation d of 10 {\n  choose r in {Top, Bottom}\n'
              f"  field top = mean [r == Top]\n}}\npayoff d = {payoff}\n")
    result = _solve(source, tmp_path, options={"exact": exact})
    got = [tuple(p["d"].values()) for p in _shares(result)]
    assert len(got) == len(expected)
    for share, want in zip(got, expected):
        assert share == pytest.approx(want, abs=1e-9)
    assert all(np.isfinite(v) for eq in result.extra["equilibria"]
               for v in eq["payoffs"].values())


def test_reports_and_checks_read_the_fields_at_each_equilibrium(tmp_path):
    source = """game "coordination"
population people of 100 {
  choose side in {Left, Right}
  field left = mean [side == Left]
}
payoff people = if side == Left then left else 2 * (1 - left)
report share_left = left
check crowded: left >= 0.5
"""
    result = _solve(source, tmp_path)
    lefts = [eq["profile"]["people"]["Left"] for eq in result.extra["equilibria"]]
    assert lefts == pytest.approx([1.0, 0.0, 2 / 3])  # left = 2 (1 - left)
    assert result.reports == {"share_left": 1.0}
    assert result.profile_reports["equilibrium 3"]["share_left"] == pytest.approx(2 / 3)
    assert result.checks["crowded"]["holds"] is False  # fails at equilibrium 2
    assert result.checks["crowded"]["at"]["equilibrium 3"]["holds"] is True


def test_stability_along_an_edge(tmp_path):
    # hawk-dove's mixed share is evolutionarily stable; a coordination game's is not
    (hawk_dove,) = _spec("hawk_dove_population").extra["equilibria"]
    assert hawk_dove["stable"] is True
    source = """game "coordination"
population people of 100 { choose side in {Left, Right}  field left = mean [side == Left] }
payoff people = if side == Left then left else 2 * (1 - left)
"""
    for exact in (True, False):
        mixed = [eq for eq in _solve(source, tmp_path, options={"exact": exact}).extra[
            "equilibria"] if not eq["pure"]]
        assert len(mixed) == 1 and mixed[0]["stable"] is False


@pytest.mark.parametrize("rule, left", [("", 1.0), ("select max payoff people", 0.0),
                                        ("select min left", 0.0),
                                        ("select max left * (1 - left)", 2 / 3)])
def test_selection_rules(tmp_path, rule, left):
    source = """game "coordination"
population people of 100 { choose side in {Left, Right}  field left = mean [side == Left] }
payoff people = if side == Left then left else 2 * (1 - left)
""" + rule + "\n"
    result = _solve(source, tmp_path)
    assert result.strategies["people"]["Left"] == pytest.approx(left)
    assert len(result.extra["equilibria"]) == 3


def test_a_selection_over_the_choice_is_a_located_error(tmp_path, capsys):
    path = tmp_path / "sel.game"
    path.write_text('game "s"\npopulation p of 10 { choose s in {0, 1}  field m = mean s }\n'
                    "payoff p = s * m\nselect max s\n")
    assert main(["solve", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:4:1: error:") and "the fields only" in err


def _random_linear_game(rng) -> tuple[str, np.ndarray, np.ndarray]:
    """Three choices, payoff u = b + A x (x the shares), small integers."""
    a = rng.integers(-4, 5, size=(3, 3))
    b = rng.integers(-3, 4, size=3)
    names = ("P", "Q", "R")
    terms = [f"{b[i]} + {a[i, 0]} * xp + {a[i, 1]} * xq + {a[i, 2]} * (1 - xp - xq)"
             for i in range(3)]
    source = ('game "random"\npopulation m of 10 {\n  choose s in {P, Q, R}\n'
              "  field xp = mean [s == P]\n  field xq = mean [s == Q]\n}\n"
              f"payoff m = if s == {names[0]} then {terms[0]} else if s == {names[1]} then "
              f"{terms[1]} else {terms[2]}\n")
    return source, a.astype(float), b.astype(float)


@pytest.mark.parametrize("seed", range(8))
def test_random_linear_games_exact_and_numeric_agree(tmp_path, seed):
    """Every equilibrium the exact enumeration lists is one by a NumPy check written here,
    and the numeric search finds the same shares."""
    source, a, b = _random_linear_game(np.random.default_rng(seed))
    exact = _solve(source, tmp_path)
    if any(label == "continuum" for label, _ in exact.extra["facts"]):
        pytest.skip("a degenerate game (a continuum of equilibria)")
    numeric = _solve(source, tmp_path, options={"exact": False})
    found = [np.array(list(p["m"].values())) for p in _shares(exact)]
    for x in found:
        u = b + a @ x
        assert np.all(x >= 0) and x.sum() == pytest.approx(1)
        assert np.max(u) - np.min(u[x > 1e-12]) <= 1e-9
    other = [np.array(list(p["m"].values())) for p in _shares(numeric)]
    assert len(other) == len(found)
    for x in found:
        assert any(np.allclose(x, y, atol=1e-7) for y in other)
    # brute force on a grid of the simplex: a point where no used choice pays less than the
    # best is one of the listed equilibria
    for i, j in itertools.product(range(61), repeat=2):
        if i + j <= 60:
            x = np.array([i, j, 60 - i - j]) / 60
            u = b + a @ x
            if np.max(u) - np.min(u[x > 0]) <= 1e-12:
                assert any(np.allclose(x, y, atol=1e-9) for y in found), x


def test_an_equilibrium_next_to_a_vertex_is_bracketed(tmp_path):
    # the share 1e-4 lies below the edge grid's first inner point (1/2000)
    source = """game "near a vertex"
population p of 100 { choose s in {A, B}  field a = mean [s == A] }
payoff p = if s == A then exp(-a) - exp(-0.0001) else 0
"""
    (eq,) = _solve(source, tmp_path).extra["equilibria"]
    assert eq["profile"]["p"]["A"] == pytest.approx(1e-4, abs=1e-12)


def test_roots_of_polynomials(tmp_path):
    source = """game "roots"
population p of 10 { choose s in {A, B}  field a = mean [s == A] }
payoff p = if s == A then {u} else 1 - a
"""
    golden = (np.sqrt(5) - 1) / 2  # a^2 = 1 - a
    *pure, eq = _solve(source.replace("{u}", "a^2"), tmp_path).extra["equilibria"]
    assert len(pure) == 2 and all(e["pure"] for e in pure)  # all A and all B as well
    assert eq["profile"]["p"]["A"] == pytest.approx(golden, abs=1e-12)
    assert eq["exact"]["p"]["A"] == "-1/2 + sqrt(5)/2"
    cubic = np.roots([1, 0, 1, -1]).real[np.abs(np.roots([1, 0, 1, -1]).imag) < 1e-12][0]
    *_, eq = _solve(source.replace("{u}", "a^3"), tmp_path).extra["equilibria"]
    assert eq["profile"]["p"]["A"] == pytest.approx(cubic, abs=1e-12)  # a^3 = 1 - a
    assert "exact" not in eq and "sqrt(93)" in eq["exact_algebraic"]["p"]["A"]
