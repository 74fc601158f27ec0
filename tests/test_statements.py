"""report / check / claim statements (gamespec.statements): parsed into the Model, evaluated
at the solution and at every named profile, claims checked against what gamespec solves.
Expected numbers are written by hand from the textbook closed forms (Cournot: q* = (a-c)/3b,
BR1(q2) = (a - c - q2)/2b for q2 <= a - c, else 0)."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

import gamespec
from gamespec.cli import main
from gamespec.render.terminal import render_result
from gamespec.statements import evaluate_statements

COURNOT = """
game "Cournot duopoly"
param a = 10
param b = 1
param c = 1
player firm1 { choose q1 in [0, a / b] }
player firm2 { choose q2 in [0, a / b] }
payoff firm1 = (a - b * (q1 + q2)) * q1 - c * q1
payoff firm2 = (a - b * (q1 + q2)) * q2 - c * q2
profile monopoly { q1 = (a - c) / (2 * b)
                   q2 = 0 }
"""


def solved(text: str, **params):
    game = gamespec.loads(text, path="t.game", **params)
    return game, evaluate_statements(game.model, game.solve())


def test_report_at_solution_and_profiles():
    _, result = solved(COURNOT + """
report total = q1 + q2
report price = a - b * (q1 + q2)
""")
    assert result.reports == pytest.approx({"total": 6.0, "price": 4.0})
    assert result.profile_reports["profile monopoly"] == pytest.approx(
        {"total": 4.5, "price": 5.5})
    data = json.loads(result.to_json())
    assert data["reports"] == pytest.approx({"total": 6.0, "price": 4.0})
    assert "reports: total: 6, price: 4" in render_result(result)


def test_check_holds_and_a_failing_check_is_listed_not_hidden():
    _, result = solved(COURNOT + """
check nonnegative: q1 >= 0
check below_monopoly: q1 + q2 <= (a - c) / (2 * b)
""")
    assert result.checks["nonnegative"]["holds"] is True
    failing = result.checks["below_monopoly"]
    assert failing["holds"] is False
    assert failing["at"]["solution"] == {"holds": False, "lhs": 6.0, "rhs": 4.5}
    assert failing["at"]["profile monopoly"]["holds"] is True
    # the status and the certificate's verdict stay; its details name the failing check
    assert result.status == "equilibrium" and result.certificate.ok
    assert result.certificate.details["failed_checks"] == ["below_monopoly"]
    assert "\033[1;31mcheck below_monopoly: " in render_result(result, color=True)
    text = render_result(result, width=200)
    assert "check below_monopoly: FAILS (solution: 6 <= 4.5 fails" in text


def test_no_statements_leaves_the_result_alone():
    game = gamespec.loads(COURNOT, path="t.game")
    result = game.solve()
    assert evaluate_statements(game.model, result) is result
    assert "reports" not in result.as_dict() and "claims" not in result.as_dict()


# ---------------------------------------------------------------------------- claims
CLAIMS = COURNOT + """
claim br_where_positive: best response firm1 = (a - c - q2) / (2 * b) over q2 in [0, 9]
claim br_everywhere: best response firm1 = (a - c - q2) / (2 * b)
claim br_textbook: best response firm1 = max(0, (a - c - q2) / (2 * b))
claim br_wrong: best response firm1 = (a - c - q2) / b over q2 in [0, 8]
claim equilibrium: q1 == (a - c) / (3 * b)
claim equilibrium_wrong: q1 == (a - c) / (2 * b)
claim symmetric: q1 == q2
claim identity: (a - c)^2 == a^2 - 2 * a * c + c^2
claim identity_wrong: (a - c)^2 == a^2 - c^2
"""


@pytest.fixture(scope="module")
def claims():
    return solved(CLAIMS)[1].claims


def test_claimed_best_response_holds_where_it_is_interior(claims):
    assert claims["br_where_positive"]["verdict"] == "holds"
    assert claims["br_where_positive"]["points"] == 21
    assert claims["br_textbook"]["verdict"] == "holds"


def test_claimed_best_response_holds_only_in_a_region(claims):
    entry = claims["br_everywhere"]  # default grid: q2 over its domain [0, 10]
    assert entry["verdict"] == "holds where"
    assert entry["region"] == "where q2 in [0, 9]"  # a - c = 9: below zero beyond
    assert (entry["holding"], entry["points"]) == (19, 21)
    example = entry["counterexample"]
    assert example["at"] == {"q2": 9.5}
    assert example["claimed"] == pytest.approx(-0.25)
    assert example["best_response"] == "0"


def test_a_false_best_response_is_reported_with_a_counterexample(claims):
    entry = claims["br_wrong"]
    assert entry["verdict"] == "does not hold"
    example = entry["counterexample"]
    assert example["at"] == {"q2": 0.0}
    assert example["claimed"] == pytest.approx(9.0)
    assert example["best_payoff"] == pytest.approx(20.25)  # (a - c)^2 / 4b at q2 = 0
    assert example["claimed_payoff"] == pytest.approx(0.0)
    assert "best response 4.5" in entry["reason"]


def test_claims_at_the_solution(claims):
    assert claims["equilibrium"]["verdict"] == "holds"
    assert claims["equilibrium"]["at"]["solution"]["rhs"] == pytest.approx(3.0)
    wrong = claims["equilibrium_wrong"]
    assert wrong["verdict"] == "does not hold"
    assert wrong["reason"] == "at the solution: 3 vs 4.5"
    assert claims["symmetric"]["verdict"] == "holds"


def test_identities(claims):
    assert claims["identity"]["verdict"] == "holds"
    assert "simplifies to 0" in claims["identity"]["reason"]
    wrong = claims["identity_wrong"]
    assert wrong["verdict"] == "does not hold"
    # 81 vs 99 at a = 10, c = 1
    assert (wrong["counterexample"]["lhs"], wrong["counterexample"]["rhs"]) == (81.0, 99.0)


def test_a_parameter_claim_that_holds_in_a_region():
    _, result = solved("""
param t = 0.25 in [0, 1]
player p { choose x in [0, 1] }
player q { choose y in [0, 1] }
payoff p = -(x - t)^2
payoff q = -(y - x)^2
claim below: t <= 0.5
claim abs_form: abs(t - 0.5) == 0.5 - t
claim never: t > 2
""")
    below = result.claims["below"]
    assert below["verdict"] == "holds where"
    assert below["region"].startswith("where t <= 0.")
    assert result.claims["abs_form"]["verdict"] == "holds where"
    assert result.claims["never"]["verdict"] == "does not hold"
    # the solver's answer x = t: a claim at the solution
    game, result = solved("""
param t = 0.25 in [0, 1]
player p { choose x in [0, 1] }
player q { choose y in [0, 1] }
payoff p = -(x - t)^2
payoff q = -(y - x)^2
claim follows: x == t
""")
    assert result.claims["follows"]["verdict"] == "holds"


def test_finite_best_response_claims():
    _, result = solved(PD + """
claim dominant: best response row = Defect
claim cooperate: best response row = Cooperate over b in {Cooperate}
claim tit_for_tat: best response row = b
""")
    assert result.claims["dominant"]["verdict"] == "holds"
    assert result.claims["dominant"]["points"] == 2
    assert result.claims["cooperate"]["verdict"] == "does not hold"
    assert result.claims["cooperate"]["counterexample"]["best_response"] == "Defect"
    entry = result.claims["tit_for_tat"]
    assert entry["verdict"] == "holds where" and entry["region"] == "where b = Defect"


PD = """
player row { choose a in {Cooperate, Defect} }
player col { choose b in {Cooperate, Defect} }
table {
  (Cooperate, Cooperate): (-1, -1)
  (Cooperate, Defect):    (-3,  0)
  (Defect,    Cooperate): ( 0, -3)
  (Defect,    Defect):    (-2, -2)
}
"""


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("line, message", [
    ("report total = q1 + q3", "q3"),
    ("check positive: q1 + q2", "a check states a condition"),
    ("report q1 = q1\ncheck q1: q1 >= 0", "a second statement named `q1`"),
    ("claim br: best response firm3 = q2", "`firm3` is not a player"),
    ("claim br: best response firm1 = q2 over c in [0, 1]", "`over c`"),
    ("claim br: q1 +", "unexpected"),
])
def test_malformed_statements_are_located_errors(tmp_path, capsys, line, message):
    path = tmp_path / "bad.game"
    path.write_text(COURNOT + line + "\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert f"{path}:{COURNOT.count(chr(10)) + line.count(chr(10)) + 1}:" in err


# ---------------------------------------------------------------------------- docs
LANGUAGE_DOC = Path(__file__).resolve().parents[1] / "docs" / "language.md"


def _doc_section() -> tuple[str, int]:
    """docs/language.md's `report, check, claim` section and its first line's offset."""
    text = LANGUAGE_DOC.read_text(encoding="utf-8")
    start = text.index("## report, check, claim")
    end = text.index("\n## ", start + 3)
    return text[start:end], text.count("\n", 0, start)


def _tutorial_runner():
    """tests/test_tutorial.py's runner (files and console blocks), imported by path."""
    path = Path(__file__).parent / "test_tutorial.py"
    spec = importlib.util.spec_from_file_location("tutorial_runner", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_language_doc_examples_print_what_the_doc_shows(tmp_path):
    runner = _tutorial_runner()
    section, offset = _doc_section()
    found = runner.steps(section)
    assert sum(s.kind == "command" for s in found) >= 2
    for step in found:
        if step.kind == "file":
            (tmp_path / step.text).write_text(step.body, encoding="utf-8")
            continue
        got = runner.normalise(runner.run(step.text, tmp_path), tmp_path)
        want = runner.normalise(step.body, tmp_path)
        assert got == want, (f"docs/language.md line {offset + step.line}: `{step.text}` "
                             "printed\n" + "\n".join(got))


def test_statements_when_there_is_no_solution():
    # matching pennies in pure strategies: no equilibrium to evaluate anything at
    _, result = solved("""
solve using enumerate
player m { choose a in {H, T} }
player n { choose b in {H, T} }
payoff m = if a == b then 1 else -1
payoff n = if a == b then -1 else 1
report same = [a == b]
check bounded: [a == b] <= 1
claim heads: a == H
claim dominant: best response m = b
""")
    assert result.status == "no_pure_equilibrium"
    assert result.reports == {} and result.checks["bounded"]["at"] == {}
    assert result.claims["heads"]["verdict"] == "error"
    assert result.claims["dominant"]["verdict"] == "holds"  # matching is the best response
    assert "check bounded: holds (no solution or profile to check it at)" in \
        render_result(result)


def test_several_equilibria_and_labels():
    _, result = solved("""
player alice { choose a in {Opera, Football} }
player bob   { choose b in {Opera, Football} }
table {
  (Opera,    Opera):    (3, 2)
  (Opera,    Football): (0, 0)
  (Football, Opera):    (0, 0)
  (Football, Football): (2, 3)
}
report venue = a
claim coordinated: a == b
profile apart { a = Opera
                b = Football }
""")
    assert result.reports == {"venue": "Opera"}
    # equilibrium 2 is the mixed one (3/5, 2/5): a spec expression has no one value there
    assert [eq["pure"] for eq in result.extra["equilibria"]] == [True, False, True]
    assert result.profile_reports == {"equilibrium 3": {"venue": "Football"},
                                      "profile apart": {"venue": "Opera"}}
    assert result.claims["coordinated"]["verdict"] == "holds"
    assert set(result.claims["coordinated"]["at"]) == {"equilibrium 1", "equilibrium 3"}
