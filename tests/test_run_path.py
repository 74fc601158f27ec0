"""The one run path: `solve`, a one-point `sweep`, the API and `--option` all build the same
Plan and give the same Result; solver options are typed, checked and recorded."""
from __future__ import annotations

import json

import pytest

from gamespec.api import game_info, solve_model
from gamespec.cli import main
from gamespec.errors import SpecError
from gamespec.language.loader import load_model, model_from_string
from gamespec.plan import build_plan
from gamespec.sweep import parse_grid, run_sweep

from .conftest import SPECS

NEEDS_DATA = {"nvo_pdp", "nvo_income", "nvo_credit"}
BUNDLED = sorted(p.stem for p in SPECS.glob("*.game"))


def _without_timings(result: dict) -> dict:
    out = {k: v for k, v in result.items() if k != "timing"}
    for key in ("lp",):  # a method's own stage timings
        if isinstance(out.get(key), dict):
            out[key] = {k: v for k, v in out[key].items() if "timing" not in k}
    return json.loads(json.dumps(out))


def _drop_timing_keys(value):
    if isinstance(value, dict):
        return {k: _drop_timing_keys(v) for k, v in value.items() if "timing" not in k}
    if isinstance(value, list):
        return [_drop_timing_keys(v) for v in value]
    return value


@pytest.mark.parametrize("spec", BUNDLED)
def test_one_point_sweep_equals_solve(spec, request, solved_spec):
    """For every bundled spec, the sweep's point is exactly `gamespec solve` (the sweep
    once dropped the spec's `solve using ... { }` options)."""
    if spec in NEEDS_DATA:
        request.getfixturevalue("mirror")
    path = str(SPECS / f"{spec}.game")
    model = load_model(path)
    axes = []
    scalar = next((p for p in model.params.values()
                   if not p.index_sets and p.value is not None), None)
    if scalar is not None:  # a one-value axis at the spec's own value
        axes = [parse_grid(f"{scalar.name}={scalar.value!r}")]
    solved = solved_spec(spec).as_dict()
    [swept] = run_sweep(path, axes, {}, None, {}, workers=1, full=True)
    assert swept.get("status") != "error", swept.get("reason")
    assert _drop_timing_keys(swept) == _drop_timing_keys(solved)


def test_sweep_keeps_the_spec_solve_options():
    """The reproducer: the repeated game's `solve_for` option reached solve but not sweep."""
    path = str(SPECS / "trimming_one_round.game")
    assert run_sweep(path, [parse_grid("T_hi=6")], {}, None, {}, workers=1)[0]["status"] \
        == "equilibria"
    text = (SPECS / "trimming.game").read_text()
    spec = text.split("# Section VI experiment")[0] + 'solve using dynamics { solve_for = "p" }\n'
    model = model_from_string(spec, str(SPECS / "probe.game"))
    result = solve_model(model)
    assert result.run["options"]["solve_for"] == "p"


SMALL = """
player row { choose a in {U, D} }
player col { choose b in {L, R} }
table {
  (U, L): (3, 1)  (U, R): (0, 0)
  (D, L): (0, 0)  (D, R): (1, 3)
}
"""


def _model(extra: str = "", path: str = "<spec>"):
    return model_from_string(SMALL + extra, path)


def test_unknown_spec_option_is_a_located_error_with_a_hint():
    model = _model("solve using brd { tolerence = 1e-9 }\n")
    with pytest.raises(SpecError) as err:
        build_plan(model)
    assert "`tolerence` is not an option of method `brd`" in err.value.message
    assert err.value.span is not None and err.value.span.line == 8
    assert "did you mean `tolerance`?" in err.value.hint


@pytest.mark.parametrize("block, message", [
    ('solve using brd { passes = 0 }', "`passes` must be >= 1, not 0"),
    ('solve using brd { passes = 2.5 }', "`passes` must be a whole number, not 2.5"),
    ('solve using brd { tolerance = 0 }', "`tolerance` must be > 0, not 0"),
    ('solve using brd { mode = "simultanous" }', 'must be one of "sequential", "simultaneous"'),
    ('solve using brd { oracle = 3 }', "`oracle` must be one of"),
    ('solve using brd { seed = -1 }', "`seed` must be >= 0, not -1"),
])
def test_option_values_are_typed_and_ranged(block, message):
    with pytest.raises(SpecError) as err:
        build_plan(_model(block + "\n"))
    assert message in err.value.message
    assert err.value.span is not None


def test_plan_precedence_and_record():
    model = _model('solve using brd { passes = 7, seed = 3 }\n')
    plan = build_plan(model)
    assert (plan.method, plan.seed, plan.options["passes"]) == ("brd", 3, 7)
    assert plan.options["oracle"] == "auto"  # the declared default is filled in
    plan = build_plan(model, seed=5, options={"passes": 9})
    assert (plan.seed, plan.options["passes"]) == (5, 9)
    result = solve_model(model, seed=5, options={"passes": 9})
    assert result.run == {"method": "brd", "seed": 5, "time_limit": None,
                          "options": {"oracle": "auto", "mode": "sequential",
                                      "tolerance": 1e-12, "passes": 9},
                          "ignored_spec_options": []}
    assert result.as_dict()["run"]["options"]["passes"] == 9


def test_spec_options_of_another_method_are_ignored_and_said():
    model = _model('solve using brd { passes = 7, seed = 2 }\n')
    plan = build_plan(model, "enumerate")
    assert plan.method == "enumerate" and plan.seed == 2
    assert plan.ignored == ("passes",)
    assert solve_model(model, "enumerate").run["ignored_spec_options"] == ["passes"]


def test_caller_option_unknown_to_the_method_is_refused():
    with pytest.raises(SpecError, match="`passes` is not an option of method `enumerate`"):
        solve_model(_model(), "enumerate", options={"passes": 3})


def test_info_lists_typed_options():
    info = game_info(_model())
    brd = next(m for m in info.methods if m.name == "brd")
    names = [o.name for o in brd.options]
    assert names[:2] == ["seed", "time_limit"] and "passes" in names
    passes = next(o for o in brd.options if o.name == "passes")
    assert passes.describe().startswith("passes (a whole number, >= 1; default 1000)")
    assert info.as_dict()["methods"][4]["options"][0]["name"] == "seed"


def test_cli_option_flag_and_info_options(tmp_path, capsys):
    spec = tmp_path / "bos.game"
    spec.write_text(SMALL)
    assert main(["solve", str(spec), "--method", "brd", "--option", "passes=4",
                 "--option", 'oracle=plain', "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["run"]["options"]["passes"] == 4
    assert out["run"]["options"]["oracle"] == "plain"
    assert main(["solve", str(spec), "--method", "brd", "--option", "pases=4"]) == 2
    err = capsys.readouterr().err
    assert "not an option of method `brd`" in err and "did you mean `passes`?" in err
    assert main(["info", str(spec), "--options"]) == 0
    assert "mode (\"sequential\" | \"simultaneous\"; default \"sequential\")" in \
        capsys.readouterr().out


def test_cli_sweep_refuses_a_bad_option_once(tmp_path, capsys):
    spec = tmp_path / "g.game"
    spec.write_text("param x = 1\n" + SMALL)
    code = main(["sweep", str(spec), "--grid", "x=1:2:2", "--method", "brd",
                 "--option", "passes=0"])
    assert code == 2
    assert "`passes` must be >= 1" in capsys.readouterr().err


def test_cli_plot_takes_options_and_exits_3_on_an_uncertified_answer(tmp_path, capsys):
    """`plot` solves through the same plan as `solve` (--option, --seed) and, like solve,
    exits 3 when the answer it draws is not certified (the picture is still written)."""
    spec = tmp_path / "farol.game"
    spec.write_text("""
set I = 1..6
players agent[i in I] { choose go in {0, 1} }
let attendance = sum(j in I) go[j]
payoff agent = go[i] * (if attendance <= 3 then 1 else -1)
""")
    out = tmp_path / "table.svg"
    code = main(["plot", str(spec), "--kind", "payoff-table", "--out", str(out),
                 "--method", "brd", "--option", "passes=1", "--seed", "3"])
    assert code == 3
    assert "not certified" in capsys.readouterr().err
    assert out.read_text().lstrip().startswith("<?xml")
    assert main(["plot", str(spec), "--out", str(out), "--method", "brd",
                 "--option", "pases=3"]) == 2


def test_every_result_says_which_equilibria_it_covers(tmp_path, capsys):
    from gamespec.solvers.registry import registry

    assert all(entry.covers for entry in registry())
    model = _model()
    assert solve_model(model, "enumerate").covers.startswith("all pure Nash equilibria")
    brd = solve_model(model, "brd")
    assert brd.covers.startswith("one pure Nash equilibrium")
    assert brd.as_dict()["covers"] == brd.covers
    spec = tmp_path / "farol.game"
    spec.write_text("""
set I = 1..6
players agent[i in I] { choose go in {0, 1} }
let attendance = sum(j in I) go[j]
payoff agent = go[i] * (if attendance <= 3 then 1 else -1)
""")
    assert main(["solve", str(spec), "--method", "brd", "--option", "passes=1", "--seed", "3"]) == 3
    assert "covers: nothing certified (status pass_limit)" in capsys.readouterr().out
