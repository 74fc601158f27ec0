"""The construct-aware fuzzer (fuzz/): a seeded sample of every generator through the
commands check and info (and a few through derive and solve), the file-system cases, and
regressions for what the fuzzer found. The long runs are `fuzz/run_commands.py` and
`fuzz/fs_cases.py`."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import sympy as sp

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from fuzz import commands, fs_cases  # noqa: E402
from fuzz.generators import GENERATORS, make_case  # noqa: E402

SAMPLE = 5  # specs per generator through check and info
FS_IN_PROCESS = ("spec_directory", "spec_sparse_huge", "non_utf8", "bom_valid", "nul_bytes",
                 "name_256_bytes", "data_fifo", "data_truncated_gzip", "stage_fifo")


def _run(command: str, case) -> str:
    outcome, detail = commands.run(command, case.text, case.path, limit=10.0)
    assert outcome not in commands.PROBLEMS, f"{case.generator} #{case.index} " \
        f"({case.mutation}) {command}: {detail}\n{case.text}"
    return outcome


def test_generators_are_deterministic():
    for name in GENERATORS:
        assert make_case(name, 7, 3) == make_case(name, 7, 3)
        assert make_case(name, 7, 3).text != make_case(name, 8, 3).text


@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_generator_sample_through_check_and_info(generator):
    """No escape or hang; and each generator makes specs that load (valid-shaped)."""
    outcomes = []
    for index in range(SAMPLE):
        case = make_case(generator, 0, index)
        outcomes.append(_run("check", case))
        if outcomes[-1] == "ok":
            assert _run("info", case) in ("ok", "located", "unlocated")
    more = 0
    while "ok" not in outcomes and more < 20:
        outcomes.append(_run("check", make_case(generator, 0, SAMPLE + more)))
        more += 1
    assert "ok" in outcomes, f"{generator}: no valid spec in {len(outcomes)}"


@pytest.mark.parametrize("generator, index", [("trees", 2), ("families", 1), ("networks", 0),
                                              ("updates", 0)])
def test_a_few_through_derive_and_solve(generator, index):
    case = make_case(generator, 0, index)
    _run("derive", case)
    _run("solve", case)


@pytest.mark.parametrize("name", FS_IN_PROCESS)
def test_file_system_cases_in_process(name):
    case = next(c for c in fs_cases.CASES if c.name == name)
    ok, what = fs_cases.run_case_in_process(case, "check")
    assert ok, what


def test_a_fifo_spec_under_info_ends_as_a_process():
    case = next(c for c in fs_cases.CASES if c.name == "spec_fifo")
    ok, what = fs_cases.run_case(case, "info")
    assert ok, what


# ------------------------------------------------------------- regressions found by fuzzing
def test_a_condition_on_a_piecewise_value_is_kept_unsolved_not_a_crash():
    """`value V = sign(p) * 100 + d * V` solves to a Piecewise in p: isolating the
    condition for d raised SymPy's PolynomialError out of `gamespec derive` (exit 70)."""
    from gamespec.api import derive_model
    from gamespec.errors import SolverError
    from gamespec.language.loader import model_from_string
    from gamespec.solvers.dynamics.isolate import isolate

    d, p = sp.symbols("d p", real=True)
    piecewise = sp.Piecewise((0, sp.Eq(p, 0)), (-100 * p / (d * sp.Abs(p) - sp.Abs(p)), True))
    with pytest.raises(SolverError, match="cannot solve"):
        isolate(sp.StrictGreaterThan(piecewise, 4), d, {})
    spec = ("param d = 0.9 in [0, 1]\nparam g = 4\nparam p = 0.2\nrepeated {\n discount d\n"
            " value V = -g + d * V\n value W = (sign(p) * 100) + d * W\n"
            " condition ok: V > W\n}\n")
    text = derive_model(model_from_string(spec, "r.game")).plain()
    # V = -g/(1 - d) = -40 and W = 100/(1 - d) = 1000 at the given values: V > W fails
    assert "condition ok (fails at the given parameters)" in text


def test_a_condition_at_a_discount_of_one_is_not_evaluated():
    """At d = 1 a value recursion diverges (V = g / (1 - d) is complex infinity):
    evaluating the condition there raised TypeError (complex to float)."""
    from gamespec.solvers.dynamics.isolate import holds_at

    d, g = sp.symbols("d g", real=True)
    relation = sp.StrictGreaterThan(g / (1 - d), 5)
    assert holds_at(relation, {d: 1, g: 4}) is None
    at = holds_at(relation, {d: 0.5, g: 4})  # 4 / (1 - 0.5) = 8 > 5
    assert at == {"lhs": 8.0, "rhs": 5.0, "holds": True, "at_boundary": False}


def test_a_payoff_that_is_one_probability_derives():
    """`common payoff = f[A]` at a point mass is the number 1 or 0: it was a Python int
    without SymPy's methods, and `gamespec derive` failed (AttributeError)."""
    from gamespec.api import derive_model
    from gamespec.language.loader import model_from_string

    spec = "player p { mixed f over {A, B} }\ncommon payoff = f[A]\n"
    text = derive_model(model_from_string(spec, "m.game")).plain()
    # A pays 1, B pays 0: A is the one pure equilibrium
    assert "(A) is an equilibrium iff: True" in text
    assert "(B) is an equilibrium iff: False" in text


@pytest.mark.parametrize("entry, what", [("0^-1", "infinite"), ("log(0)", "infinite"),
                                         ("sqrt(-1)", "complex (I)"),
                                         ("(0^-1 - 0^-1)", "not a number")])
def test_a_table_entry_that_is_not_a_finite_real_number_is_located(entry, what):
    """Was accepted by check, then `derive` failed comparing it (TypeError, exit 70)."""
    from gamespec.errors import SpecError
    from gamespec.language.loader import model_from_string

    spec = ("player a { choose x in {U, D} }\nplayer b { choose y in {L, R} }\ntable {\n"
            f"  (U, L): (1, 1)  (U, R): (0, 0)\n  (D, L): ({entry}, 2)  (D, R): (1, 1)\n}}\n")
    with pytest.raises(SpecError, match=re.escape(f"this table entry is {what}")) as caught:
        model_from_string(spec, "t.game")
    column = spec.splitlines()[4].index(entry.lstrip("(")) + 1  # the entry (inside brackets)
    assert (caught.value.span.line, caught.value.span.column) == (5, column)


@pytest.mark.parametrize("payoff, what", [("[x == U] * 0^-1", "an infinite"),
                                          ("log(0) * [x == U]", "an infinite"),
                                          ("sqrt(-1) * [x == U] + 1", "a complex")])
def test_a_payoff_with_an_infinite_or_complex_constant_is_located(payoff, what):
    """Such payoffs passed check and info, then derive failed comparing payoffs
    (TypeError: invalid comparison of non-real zoo; exit 70)."""
    from gamespec.errors import SpecError
    from gamespec.language.loader import model_from_string

    spec = ("player a { choose x in {U, D} }\nplayer b { choose y in {L, R} }\n"
            f"payoff a = {payoff}\npayoff b = [y == L]\n")
    with pytest.raises(SpecError, match=f"this payoff has {what} constant") as caught:
        model_from_string(spec, "p.game")
    assert (caught.value.span.line, caught.value.span.column) == (3, 12)


@pytest.mark.parametrize("body, column", [
    ("[(sin(1e300) * [x == U])^-1 < 2]", 13),  # zoo compared: TypeError
    ("[ln([x == U]) <= 1]", 13),
    ("(if ([mod(1, 0) >= 0.25] + 0.25) < q then 1 else 2)", 16),  # SymPy's KeyError
    ("[-[x == U] == min([x == U] / [x == U], 2)]", 13),  # min of nan: ValueError
])
def test_a_condition_sympy_cannot_decide_is_located(body, column):
    """SymPy evaluates [cond] and `if` conditions when it builds them; one comparing a
    value that is not a real number escaped `check` as TypeError or KeyError (exit 70)."""
    from gamespec.errors import SpecError
    from gamespec.language.loader import model_from_string

    spec = f"player a {{ choose x in {{U, D}} choose q in [0, 1] }}\npayoff a = {body}\n"
    with pytest.raises(SpecError, match="cannot decide this condition") as caught:
        model_from_string(spec, "c.game")
    assert (caught.value.span.line, caught.value.span.column) == (2, column)


def test_update_rounds_at_the_set_size_limit_are_checked_quickly():
    """`update over i in 1..2000000` (the largest range allowed) spent seconds of CPU
    checking that its rounds are consecutive, one test per element (a fuzzed spec with
    two such blocks passed the 10 s hang limit of `check`). A range is now compared as a
    whole; other sets are still checked element by element."""
    import time

    from gamespec.errors import SpecError
    from gamespec.language.spec_checks import check_rounds

    rounds = tuple(range(1, 2_000_001))
    started = time.process_time()
    assert check_rounds(rounds, None) == rounds
    assert time.process_time() - started < 1.0  # was ~4 s of CPU unloaded
    assert check_rounds((1.0, 2.0, 3.0), None) == (1, 2, 3)
    with pytest.raises(SpecError, match="consecutive rounds"):
        check_rounds((1, 3), None)
    with pytest.raises(SpecError, match="whole numbers"):
        check_rounds(("A", "B"), None)


def test_a_best_response_claim_over_a_complex_interval_is_an_error_verdict():
    """`over q in [sqrt(-1), 1]` escaped derive and solve (TypeError: complex to float);
    it is now that claim's error, and the other claims are still checked."""
    from gamespec.api import solve_model
    from gamespec.language.loader import model_from_string

    spec = ("player f { choose p in [0, 4] }\nplayer g { choose q in [0, 4] }\n"
            "payoff f = -(p - q)^2\npayoff g = -(q - 1)^2\n"
            "claim bad: best response f = q over q in [sqrt(-1), 1]\n"
            "claim good: best response f = q over q in [0, 2]\n")
    claims = solve_model(model_from_string(spec, "c.game")).claims
    assert claims["bad"]["verdict"] == "error"
    assert "needs finite real ends" in claims["bad"]["reason"]
    assert claims["good"]["verdict"] == "holds"  # p = q maximises -(p - q)^2


def test_an_update_rule_with_an_infinite_constant_is_located():
    """`T[i + 1] = (k - k)^-1` is 1/0 once SymPy cancels k - k: check accepted it, then
    solve failed simulating it (TypeError: complex to float)."""
    from gamespec.errors import SpecError
    from gamespec.language.loader import model_from_string

    spec = ("param k = 0\nupdate over i in 1..5 {\n  T[i + 1] = ((k - k))^-1\n"
            "  initial T[1] = 1\n}\n")
    with pytest.raises(SpecError, match="this update rule has an infinite constant") as caught:
        model_from_string(spec, "u.game")
    assert (caught.value.span.line, caught.value.span.column) == (3, 14)
    fine = model_from_string(spec.replace("((k - k))^-1", "T[i] / 2"), "u.game")
    assert len(fine.updates.rules) == 1


def test_trigger_strategies_without_stage_payoffs_are_located():
    """Trigger strategies of the spec's own stage game, whose players have no payoff:
    check accepted it, then info failed building the stage game (KeyError)."""
    from gamespec.errors import SpecError
    from gamespec.language.loader import model_from_string

    spec = ("param d = 0.9\nplayer r { choose a in {Co, De} }\nplayer c { choose b in "
            "{Co, De} }\nrepeated {\n  discount d\n  sustain (Co, Co)\n  strategy grim\n}\n")
    with pytest.raises(SpecError, match="player `r` has no payoff") as caught:
        model_from_string(spec, "r.game")
    assert caught.value.span.line == 2
    table = "table {\n (Co, Co): (3, 3) (Co, De): (0, 5) (De, Co): (5, 0) (De, De): (1, 1)\n}\n"
    assert model_from_string(spec + table, "r.game").repeated.strategies


@pytest.mark.parametrize("head", ["players fam[k in 1..3]", "population pop of 10"])
def test_types_in_a_family_or_population_are_located(head):
    """A family with `types` passed check, then info and solve failed in the potential
    test (IndexError): no method models private types of members."""
    from gamespec.errors import SpecError
    from gamespec.language.loader import model_from_string

    spec = (f"{head} {{ choose b in {{C1, C2}} types t in {{1, 2}} with 0.5 }}\n"
            f"payoff {head.split()[1].split('[')[0]} = [b == C1]\n")
    with pytest.raises(SpecError, match="private types are for a single player") as caught:
        model_from_string(spec, "f.game")
    assert caught.value.span.line == 1
