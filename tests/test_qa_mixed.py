"""QA of the finite mixed-equilibrium methods as a game theorist would use them: textbook
games (Shapley, von Stengel's degenerate example, Osborne, a continuum, weak dominance,
3-player games, a family, Gambit .nfg files) solved through the CLI and compared with
pygambit (tests/oracles/gambit_reference.py: replayed where it is not installed) or closed
forms. Known bugs are strict xfails."""
from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import brentq, linprog

from gamespec.cli import main
from gamespec.gambit import export_nfg
from gamespec.language.loader import model_from_string
from gamespec.normal_form import build_normal_form
from tests.oracles import gambit_reference as gambit


def bimatrix_spec(title, rows, cols, a, b, extra=""):
    """A two-player table spec: row player `row`, column player `col`."""
    lines = [f'game "{title}"', f"player row {{ choose r in {{{', '.join(rows)}}} }}",
             f"player col {{ choose c in {{{', '.join(cols)}}} }}", "table {"]
    lines += [f"  ({r}, {c}): ({a[i][j]}, {b[i][j]})"
              for i, r in enumerate(rows) for j, c in enumerate(cols)]
    return "\n".join(lines + ["}", extra]) + "\n"


SHAPLEY = bimatrix_spec("Shapley", ["R1", "R2", "R3"], ["C1", "C2", "C3"],
                        [[0, 1, 2], [2, 0, 1], [1, 2, 0]], [[0, 2, 1], [1, 0, 2], [2, 1, 0]])
VS_DEGENERATE = bimatrix_spec("von Stengel degenerate", ["T", "M", "B"], ["l", "r"],
                              [[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
OSBORNE = bimatrix_spec("Osborne 3x3", ["T", "M", "B"], ["L", "C", "R"],
                        [[0, 6, 0], [6, 0, 0], [0, 0, 1]], [[6, 0, 0], [0, 6, 0], [0, 0, 1]])
CONTINUUM = bimatrix_spec("Continuum", ["T", "B"], ["L", "M", "R"],
                          [[1, 0, 2], [0, 1, 2]], [[2, 2, 0], [2, 2, 0]])
DECIMALS = bimatrix_spec("Decimals", ["U", "D"], ["L", "R"], [["0.1", "1/3"], ["0.3", "0.2"]],
                         [["0.2", "0.7"], ["2/3", "0.1"]])
WEAK_DOMINANCE = bimatrix_spec("Weak dominance", ["T", "B"], ["L", "R"],
                               [[1, 1], [1, 0]], [[1, 1], [1, 0]])
PARAM_BOS = bimatrix_spec("Param BoS", ["X", "Y"], ["X", "Y"],
                          [["a", 0], [0, "b"]], [["b", 0], [0, "a"]],
                          "param a = 5\nparam b = 1/3")
THREE_PLAYER = """game "2x2x2"
player p1 { choose a in {A0, A1} }
player p2 { choose b in {B0, B1} }
player p3 { choose c in {C0, C1} }
table {
  (A0, B0, C0): (9, 8, 12)  (A0, B0, C1): (0, 0, 0)  (A0, B1, C0): (0, 0, 0)
  (A0, B1, C1): (3, 4, 6)   (A1, B0, C0): (0, 0, 0)  (A1, B0, C1): (3, 4, 6)
  (A1, B1, C0): (9, 8, 12)  (A1, B1, C1): (0, 0, 0)
}
"""
VOLUNTEER = """game "Volunteer's dilemma"
param cost = 0.75
players p in {1, 2, 3} { choose x in {0, 1} }
payoff p = [sum(j in {1, 2, 3}) x[j] >= 1] - cost * x[p]
"""


def run(tmp_path, capsys, text, *args, name="g.game"):
    """(exit code, parsed JSON or stderr) of `gamespec solve` on the spec text."""
    path = tmp_path / name
    path.write_text(text)
    code = main(["solve", str(path), "--json", *args])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else out.err)


def gambit_game(text):
    return gambit.nfg(export_nfg(model_from_string(text, "g.game")))


def labels(solution):
    """(player label, strategy label) of each entry of a flat profile, in Gambit's order."""
    return [(p, s) for p, names in zip(solution.players, solution.strategies) for s in names]


def ours_vectors(result, solution, read=Fraction):
    """Each listed equilibrium as one flat probability vector, from the exact strings."""
    return [np.array([float(read(eq["exact"][p].get(s, "0"))) for p, s in labels(solution)])
            for eq in result["equilibria"]]


def gambit_vectors(solution):
    return [np.array([float(x) for row in e.profile for x in row])
            for e in solution.equilibria]


def same_set(a, b, tol=1e-9):
    return (len(a) == len(b) and all(any(np.allclose(x, y, atol=tol) for y in b) for x in a)
            and all(any(np.allclose(x, y, atol=tol) for x in a) for y in b))


@pytest.mark.parametrize("text", [SHAPLEY, VS_DEGENERATE, OSBORNE, CONTINUUM, DECIMALS,
                                  WEAK_DOMINANCE, PARAM_BOS])
def test_enumerate_mixed_equals_gambit_enummixed(text, tmp_path, capsys):
    code, result = run(tmp_path, capsys, text)
    assert code == 0 and result["method"] == "enumerate_mixed"
    assert result["certificate"]["ok"]
    theirs = gambit.solve(gambit_game(text), "enummixed", rational=True)
    assert same_set(ours_vectors(result, theirs), gambit_vectors(theirs))


@pytest.mark.parametrize("text", [THREE_PLAYER, VOLUNTEER])
def test_support_enumeration_three_players_equals_gambit_enumpoly(text, tmp_path, capsys):
    code, result = run(tmp_path, capsys, text)
    assert code == 0 and result["method"] == "enumerate_mixed"
    theirs = gambit.solve(gambit_game(text), "enumpoly")
    ours = ours_vectors(result, theirs, read=eval_exact)
    assert same_set(ours, gambit_vectors(theirs), tol=1e-6)


def eval_exact(text: str) -> float:
    """The few closed forms the tests meet: a fraction, sqrt(3)/2, 1 - sqrt(3)/2."""
    table = {"sqrt(3)/2": math.sqrt(3) / 2, "1 - sqrt(3)/2": 1 - math.sqrt(3) / 2}
    return table[text] if text in table else float(Fraction(text))


def test_volunteer_symmetric_equilibrium_closed_form(tmp_path, capsys):
    """Nobody volunteers with probability q, q^(n-1) = cost / value: q = sqrt(3)/2."""
    _, result = run(tmp_path, capsys, VOLUNTEER)
    exact = [eq["exact"] for eq in result["equilibria"]
             if all(len(m) == 2 for m in eq["exact"].values())]
    assert exact == [{f"p[{i}]": {"0": "sqrt(3)/2", "1": "1 - sqrt(3)/2"} for i in (1, 2, 3)}]


@pytest.mark.parametrize("text,lam", [(SHAPLEY, 3.0), (DECIMALS, 20.0), (VS_DEGENERATE, 5.0),
                                      (OSBORNE, 2.0)])
def test_logit_qre_at_lambda_equals_gambit(text, lam, tmp_path, capsys):
    code, result = run(tmp_path, capsys, text, "--method", "logit", "--option", f"lambda={lam}")
    assert code == 0
    theirs = gambit.logit_lambda(gambit_game(text), [lam])
    (qre,) = theirs.equilibria
    for p, strategies in theirs.by_label(qre).items():
        for s, probability in strategies.items():
            assert result["strategies"][p][s] == pytest.approx(probability, abs=1e-6)


def test_milp_select_max_payoff_picks_the_mixed_equilibrium(tmp_path, capsys):
    """von Stengel's degenerate game: the row player's best equilibrium (4) is mixed."""
    text = VS_DEGENERATE + "select max payoff row\n"
    code, result = run(tmp_path, capsys, text, "--method", "milp")
    assert code == 0
    assert result["equilibria"][0]["exact"] == {
        "row": {"M": "1/3", "B": "2/3"}, "col": {"l": "1/3", "r": "2/3"}}
    assert result["equilibria"][0]["payoffs"]["row"] == pytest.approx(4.0)


def test_import_outcome_form_nfg(tmp_path, capsys):
    nfg = tmp_path / "pd.nfg"
    nfg.write_text('NFG 1 R "PD" { "Row" "Col" }\n\n{ { "C" "D" }\n{ "C" "D" }\n}\n""\n\n'
                   '{\n{ "CC" 3, 3 }\n{ "DC" 5, 0 }\n{ "CD" 0, 5 }\n{ "DD" 1, 1 }\n}\n'
                   '1 2 3 4\n')
    out = tmp_path / "pd.game"
    assert main(["import", str(nfg), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["solve", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [eq["exact"] for eq in result["equilibria"]] == [
        {"Row": {"D": "1"}, "Col": {"D": "1"}}]


def best_correlated_welfare(payoffs: np.ndarray, coarse: bool) -> float:
    """The largest welfare of a (coarse) correlated equilibrium, by scipy's LP over profiles."""
    n, shape = payoffs.shape[0], payoffs.shape[1:]
    profiles = list(itertools.product(*[range(s) for s in shape]))
    rows = []
    for k in range(n):
        pairs = ([(None, d) for d in range(shape[k])] if coarse else
                 [(r, d) for r in range(shape[k]) for d in range(shape[k]) if r != d])
        for told, deviation in pairs:
            row = np.zeros(len(profiles))
            for i, p in enumerate(profiles):
                if told is None or p[k] == told:
                    q = list(p)
                    q[k] = deviation
                    row[i] = payoffs[k][tuple(q)] - payoffs[k][p]
            rows.append(row)
    welfare = np.array([sum(payoffs[k][p] for k in range(n)) for p in profiles])
    lp = linprog(-welfare, A_ub=np.array(rows), b_ub=np.zeros(len(rows)),
                 A_eq=np.ones((1, len(profiles))), b_eq=[1.0], bounds=(0, None), method="highs")
    return -lp.fun


@pytest.mark.parametrize("text", [VS_DEGENERATE, THREE_PLAYER, VOLUNTEER])
@pytest.mark.parametrize("coarse", [False, True])
def test_correlated_welfare_equals_scipy_lp(text, coarse, tmp_path, capsys):
    code, result = run(tmp_path, capsys, text, "--method", "correlated",
                       "--option", f"coarse={'true' if coarse else 'false'}")
    assert code == 0 and result["certificate"]["ok"]
    payoffs = np.asarray(build_normal_form(model_from_string(text, "g.game")).payoffs, float)
    assert sum(result["values"].values()) == pytest.approx(
        best_correlated_welfare(payoffs, coarse), abs=1e-7)


@pytest.mark.parametrize("args", [
    ("--method", "logit", "--option", "lambda=-1"),
    ("--method", "lemke_howson", "--option", "label=0"),
    ("--method", "lemke_howson", "--option", "label=9"),
    ("--method", "lemke_howson", "--option", "lable=1"),
    ("--method", "milp", "--option", "objective=welfre"),
])
def test_bad_options_exit_2(args, tmp_path, capsys):
    code, err = run(tmp_path, capsys, SHAPLEY, *args)
    assert code == 2 and "Traceback" not in err and "error" in err


def test_milp_on_three_players_exit_3(tmp_path, capsys):
    code, err = run(tmp_path, capsys, THREE_PLAYER, "--method", "milp")
    assert code == 3 and "two players" in err


# ---- known bugs --------------------------------------------------------------------------

def symmetric_weak_dominance_qre(lam: float) -> float:
    """In WEAK_DOMINANCE every QRE on the symmetric branch has P(B) = P(R) = x with
    x = 1 / (1 + exp(lam * x)) (the gain of T over B is P(R), of L over R is P(B))."""
    return brentq(lambda x: x - 1.0 / (1.0 + math.exp(lam * x)), 0.0, 1.0)


def test_logit_limit_respects_weak_dominance(tmp_path, capsys):
    code, result = run(tmp_path, capsys, WEAK_DOMINANCE, "--method", "logit")
    assert code == 0
    assert result["equilibria"][0]["exact"] == {"row": {"T": "1"}, "col": {"L": "1"}}


def test_logit_lambda_past_pitchfork_weak_dominance(tmp_path, capsys):
    code, result = run(tmp_path, capsys, WEAK_DOMINANCE, "--method", "logit",
                       "--option", "lambda=10")
    assert code == 0
    x = symmetric_weak_dominance_qre(10.0)
    assert result["strategies"]["row"]["B"] == pytest.approx(x, abs=1e-6)
    assert result["strategies"]["col"]["R"] == pytest.approx(x, abs=1e-6)


def test_logit_lambda_past_pitchfork_param_bos(tmp_path, capsys):
    code, result = run(tmp_path, capsys, PARAM_BOS, "--method", "logit", "--option", "lambda=2")
    assert code == 0
    # on the symmetric branch P(row X) = p = P(col Y), p = logistic(2 * (5 - 16 p / 3))
    p = brentq(lambda p: p - 1.0 / (1.0 + math.exp(-2.0 * (5.0 - 16.0 * p / 3.0))), 0.0, 1.0)
    assert result["strategies"]["row"]["X"] == pytest.approx(p, abs=1e-6)


def test_boolean_option_in_solve_block(tmp_path, capsys):
    text = VS_DEGENERATE + "solve using milp { unique = true }\n"
    code, result = run(tmp_path, capsys, text)
    assert code == 0 and result["method"] == "milp" and len(result["equilibria"]) == 2
