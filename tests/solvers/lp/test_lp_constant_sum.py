"""The lp method on constant-sum games and on finite `choose` games (imported .nfg included).

Oracles: scipy.optimize.linprog on the matrix written in the test, pygambit's lp_solve on
the imported .nfg (tests/oracles/gambit_reference.py: replayed where pygambit is not
installed), and closed forms for the 2 x 2 and 3 x 2 textbook games.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from oracles import gambit_reference as gambit  # (tests/oracles: test-only oracles)
from scipy.optimize import linprog

from gamespec.analysis import classify
from gamespec.api import solve_model
from gamespec.cli import main
from gamespec.errors import SolverError
from gamespec.language.loader import model_from_string
from gamespec.plan import build_plan
from gamespec.solvers.lp.finite_choice import matrix_certificate

TOL = 1e-7


def oracle(A: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Value and optimal strategies of max_p min_q p^T A q by two scipy LPs."""
    m, n = A.shape
    # row: max v s.t. v <= (p^T A)_j, sum p = 1
    row = linprog(np.r_[np.zeros(m), -1.0], A_ub=np.c_[-A.T, np.ones(n)], b_ub=np.zeros(n),
                  A_eq=np.r_[np.ones(m), 0.0][None, :], b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    # column: min w s.t. w >= (A q)_i, sum q = 1
    col = linprog(np.r_[np.zeros(n), 1.0], A_ub=np.c_[A, -np.ones(m)], b_ub=np.zeros(m),
                  A_eq=np.r_[np.ones(n), 0.0][None, :], b_eq=[1.0],
                  bounds=[(0, None)] * n + [(None, None)], method="highs")
    assert row.status == 0 and col.status == 0
    assert -row.fun == pytest.approx(col.fun, abs=1e-8)
    return -row.fun, row.x[:m], col.x[:n]


def spec(A: np.ndarray, B: np.ndarray, kind: str = "choose", title: str = "g") -> str:
    """A two-player table spec: `choose` or `mixed` strategies over rows r* and columns c*."""
    m, n = A.shape
    rows = ", ".join(f"r{i}" for i in range(m))
    cols = ", ".join(f"c{j}" for j in range(n))
    if kind == "choose":
        players = f"player a {{ choose x in {{{rows}}} }}\nplayer b {{ choose y in {{{cols}}} }}"
    else:
        players = f"player a {{ mixed x over {{{rows}}} }}\nplayer b {{ mixed y over {{{cols}}} }}"
    cells = "\n".join(f"  (r{i}, c{j}): ({float(A[i, j])!r}, {float(B[i, j])!r})"
                      for i in range(m) for j in range(n))
    return f'game "{title}"\n{players}\ntable {{\n{cells}\n}}\n'


def solve(text: str, method: str | None = "lp"):
    return solve_model(model_from_string(text), method=method)


def as_vector(strategy: dict, n: int, prefix: str) -> np.ndarray:
    return np.array([strategy.get(f"{prefix}{i}", 0.0) for i in range(n)])


def check_against_oracle(result, A: np.ndarray, c: float) -> None:
    """Values in the game's scale, certified, and each strategy optimal (guarantees v)."""
    v, _, _ = oracle(A)
    assert result.method == "lp" and result.certificate.ok
    assert result.values["a"] == pytest.approx(v, abs=TOL * max(1, abs(v)))
    assert result.values["b"] == pytest.approx(c - v, abs=TOL * max(1, abs(v)))
    p = as_vector(result.strategies["a"], A.shape[0], "r")
    q = as_vector(result.strategies["b"], A.shape[1], "c")
    assert p.sum() == pytest.approx(1.0) and q.sum() == pytest.approx(1.0)
    assert np.min(p @ A) >= v - 1e-7  # p guarantees the row player v
    assert np.max(A @ q) <= v + 1e-7  # q holds the row player to v


@pytest.mark.parametrize("c", [2.0, 10.0])
@pytest.mark.parametrize("kind", ["choose", "mixed"])
@pytest.mark.parametrize("shape,seed", [((2, 2), 0), ((3, 4), 1), ((5, 3), 2), ((1, 4), 3)])
def test_random_constant_sum_games_match_linprog(shape, seed, kind, c):
    rng = np.random.default_rng(seed)
    A = rng.integers(-5, 9, size=shape).astype(float)
    B = c - A
    model = model_from_string(spec(A, B, kind))
    cls = classify(model)
    assert cls.zero_sum is True and cls.constant_sum == pytest.approx(c)
    check_against_oracle(solve_model(model, method="lp"), A, c)


@pytest.mark.parametrize("kind", ["choose", "mixed"])
def test_textbook_3x2_unique_strategies(kind):
    # a's payoffs; b gets 10 - a. Closed form: p = (2/7, 5/7, 0), q = (4/7, 3/7), v = 34/7.
    A = np.array([[7.0, 2.0], [4.0, 6.0], [1.0, 9.0]])
    result = solve(spec(A, 10 - A, kind))
    assert result.values["a"] == pytest.approx(34 / 7, abs=1e-9)
    assert result.values["b"] == pytest.approx(10 - 34 / 7, abs=1e-9)
    np.testing.assert_allclose(as_vector(result.strategies["a"], 3, "r"), [2 / 7, 5 / 7, 0],
                               atol=1e-9)
    np.testing.assert_allclose(as_vector(result.strategies["b"], 2, "c"), [4 / 7, 3 / 7],
                               atol=1e-9)


def test_choose_and_mixed_paths_agree():
    rng = np.random.default_rng(7)
    A = rng.normal(size=(4, 4)).round(3)
    choose, mixed = solve(spec(A, 2 - A)), solve(spec(A, 2 - A, "mixed"))
    assert choose.values["a"] == pytest.approx(mixed.values["a"], abs=1e-8)
    assert choose.values["b"] == pytest.approx(mixed.values["b"], abs=1e-8)


def test_zero_sum_choose_game_defaults_to_lp_with_its_value():
    # matching pennies with `choose`: no pure equilibrium, value 0 in mixed strategies
    text = ('game "pennies"\nplayer a { choose x in {H, T} }\nplayer b { choose y in {H, T} }\n'
            "table {\n (H, H): (1)\n (H, T): (-1)\n (T, H): (-1)\n (T, T): (1)\n}\nzero_sum\n")
    result = solve(text, method=None)
    assert result.method == "lp" and result.certificate.ok
    assert result.values == {"a": pytest.approx(0.0, abs=1e-12), "b": pytest.approx(0.0, abs=1e-12)}
    assert result.strategies["a"] == {"H": pytest.approx(0.5), "T": pytest.approx(0.5)}


def test_degenerate_games():
    # a saddle point (pure optimal strategies) and an all-constant game (every mix optimal)
    saddle = np.array([[3.0, 5.0, 4.0], [1.0, 6.0, 0.0], [2.0, 7.0, 1.0]])
    check_against_oracle(solve(spec(saddle, 2 - saddle)), saddle, 2.0)
    assert solve(spec(saddle, 2 - saddle)).strategies["a"] == {"r0": pytest.approx(1.0)}
    flat = np.ones((2, 3))
    result = solve(spec(flat, flat))
    assert result.values == {"a": pytest.approx(1.0), "b": pytest.approx(1.0)}


def test_general_sum_choose_game_is_refused_with_a_reason():
    A = np.array([[3.0, 0.0], [5.0, 1.0]])  # prisoner's dilemma
    model = model_from_string(spec(A, A.T))
    with pytest.raises(SolverError) as err:
        build_plan(model, "lp")
    assert "needs a zero-sum game" in err.value.message
    assert build_plan(model).method != "lp"


def test_sequential_choose_game_is_refused():
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    model = model_from_string(spec(A, -A) + "order a -> b\n")
    with pytest.raises(SolverError, match="sequential"):
        build_plan(model, "lp")


def test_certificate_rejects_a_wrong_mix():
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    good = matrix_certificate(A, np.array([0.5, 0.5]), np.array([0.5, 0.5]), 0.0, None)
    bad = matrix_certificate(A, np.array([0.9, 0.1]), np.array([0.5, 0.5]), 0.0, None)
    assert good.ok and not bad.ok
    assert bad.details["column_gain"] == pytest.approx(0.8)


NFG = """NFG 1 R "imported constant sum" { "Row" "Col" } { 3 3 }
{payoffs}
"""


@pytest.mark.parametrize("c", [2, 10])
def test_imported_nfg_solves_with_lp_like_gambit(tmp_path, capsys, c):
    rng = np.random.default_rng(c)
    A = rng.integers(0, 7, size=(3, 3))
    # .nfg lists profiles with the first player's strategy changing fastest
    flat = " ".join(f"{A[i, j]} {c - A[i, j]}" for j in range(3) for i in range(3))
    source = tmp_path / "game.nfg"
    source.write_text(NFG.replace("{payoffs}", flat))
    target = tmp_path / "game.game"
    assert main(["import", str(source), "--out", str(target)]) == 0
    capsys.readouterr()
    assert main(["solve", str(target), "--method", "lp", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    eq = gambit.solve(gambit.nfg(source.read_text()), "lp", rational=False).equilibria[0]
    row, col = eq.payoffs
    assert out["method"] == "lp" and out["certificate"]["ok"]
    assert out["values"]["Row"] == pytest.approx(row, abs=1e-7)
    assert out["values"]["Col"] == pytest.approx(col, abs=1e-7)
    assert row + col == pytest.approx(c)
    v, _, _ = oracle(A.astype(float))
    assert out["values"]["Row"] == pytest.approx(v, abs=1e-7)
    p = np.array([out["strategies"]["Row"].get(f"s{i + 1}", 0.0) for i in range(3)])
    assert np.min(p @ A) >= v - 1e-7
    assert main(["info", str(target)]) == 0
    assert f"constant-sum (c = {c})" in capsys.readouterr().out
