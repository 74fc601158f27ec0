"""Payoff tables held as arrays (gamespec.payoff_table): the normal form, the symbolic
profile values (derive), the classification and the LP compile read the table exactly as
written. Oracles: the random arrays the specs are generated from, and a tiny independent
reader of the shipped specs' table rows."""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import sympy

from gamespec.analysis import linearity
from gamespec.derive import derive
from gamespec.errors import SpecError
from gamespec.language.loader import load_model, model_from_string
from gamespec.normal_form import build_normal_form
from gamespec.profile_values import profile_payoffs
from gamespec.solvers.lp.compile import bilinear_game

ROOT = Path(__file__).resolve().parents[2]


def table_spec(payoffs: np.ndarray, kind: str = "choose", zero_sum: bool = False) -> str:
    """A spec whose table lists payoffs[p][profile] (strategy k of player i is `s<k>`)."""
    n = payoffs.shape[0] if not zero_sum else 2
    shape = payoffs.shape[1:]
    word = "over" if kind == "mixed" else "in"
    lines = ['game "random"']
    for i, size in enumerate(shape):
        elements = ", ".join(f"s{k}" for k in range(size))
        lines.append(f"player p{i} {{ {kind} x{i} {word} {{{elements}}} }}")
    lines.append("table {")
    for profile in itertools.product(*map(range, shape)):
        key = ", ".join(f"s{k}" for k in profile)
        given = 1 if zero_sum else n
        values = ", ".join(str(payoffs[(p,) + profile]) for p in range(given))
        lines.append(f"  ({key}): ({values})")
    lines.append("}")
    if zero_sum:
        lines.append("zero_sum")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("shape", [(2, 3), (4, 1), (3, 2, 2), (2, 2, 2, 2), (7, 5)])
@pytest.mark.parametrize("kind", ["choose", "mixed"])
def test_normal_form_is_the_table(shape, kind):
    rng = np.random.default_rng(sum(shape) + len(kind))
    payoffs = rng.integers(-20, 21, size=(len(shape),) + shape)
    nf = build_normal_form(model_from_string(table_spec(payoffs, kind)))
    assert nf.payoffs.shape == payoffs.shape
    np.testing.assert_array_equal(nf.payoffs, payoffs)


def test_profile_payoffs_are_the_entries():
    rng = np.random.default_rng(3)
    payoffs = rng.integers(-9, 10, size=(3, 2, 3, 2))
    model = model_from_string(table_spec(payoffs))
    values = profile_payoffs(model)
    assert len(values) == 3 * 12
    for profile in itertools.product(range(2), range(3), range(2)):
        elements = tuple(f"s{k}" for k in profile)
        for p in range(3):
            assert values[(p, elements)] == payoffs[(p,) + profile]


def test_zero_sum_table_with_parameter_stays_symbolic_and_evaluates_overrides():
    path = ROOT / "specs" / "rock_paper_scissors.game"
    model = load_model(path)
    values = profile_payoffs(model)
    win = model.params["win"].symbol
    assert values[(0, ("Paper", "Rock"))] == win
    assert values[(1, ("Paper", "Rock"))] == -win
    assert values[(0, ("Rock", "Rock"))] == 0
    a = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    twice = build_normal_form(load_model(path, overrides={"win": 2.5}))
    np.testing.assert_allclose(twice.payoffs, np.stack([2.5 * a, -2.5 * a]))


def _written_table(text: str, params: dict[str, float]) -> dict[tuple, tuple]:
    """Independent reader of a shipped table: `(k1, k2): (v1, v2)` rows, values numbers or
    sums of (negated) parameters."""
    body = text[text.index("table {"):]
    body = body[:body.index("}")]
    rows = {}
    for keys, vals in re.findall(r"\(([^()]*)\)\s*:\s*\(([^()]*)\)", body):
        key = tuple(k.strip() for k in keys.split(","))
        numbers = []
        for v in vals.split(","):
            total = 0.0
            for sign, atom in re.findall(r"([+-]?)\s*([A-Za-z_]\w*|[0-9.]+)", v):
                value = params[atom] if atom[0].isalpha() or atom[0] == "_" else float(atom)
                total += -value if sign == "-" else value
            numbers.append(total)
        rows[key] = tuple(numbers)
    return rows


SHIPPED = ["specs/prisoners_dilemma.game", "specs/matching_pennies.game",
           "specs/rock_paper_scissors.game", "specs/battle_of_the_sexes.game",
           "specs/chicken.game", "specs/trimming_one_round.game",
           "tests/corpus/inspection_zero_sum.game", "tests/corpus/stag_hunt_table.game",
           "tests/corpus/commitment_zero_sum.game", "tests/corpus/saddle_zero_sum.game"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_tables_normal_form(name):
    path = ROOT / name
    text = path.read_text()
    model = load_model(path)
    params = {p.name: p.value for p in model.params.values() if p.value is not None}
    rows = _written_table(text, params)
    nf = build_normal_form(model)
    assert len(rows) == int(np.prod(nf.shape))
    for key, values in rows.items():
        index = tuple(nf.labels[k].index(e) for k, e in enumerate(key))
        expected = values if len(values) == len(nf.agents) else (values[0], -values[0])
        np.testing.assert_allclose(nf.payoffs[(slice(None),) + index], expected)


def test_mixed_table_is_bilinear_and_compiles_to_the_matrix():
    rng = np.random.default_rng(11)
    payoffs = rng.integers(-5, 6, size=(1, 4, 3))
    model = model_from_string(table_spec(payoffs, "mixed", zero_sum=True))
    assert linearity(model) == "bilinear"
    game = bilinear_game(model, "p0", "p1")
    np.testing.assert_array_equal(game.payoff[0], payoffs[0])
    other = bilinear_game(model, "p1", "p0")
    np.testing.assert_array_equal(other.payoff[0], -payoffs[0].T)


def test_pure_table_classification_unchanged():
    model = load_model(ROOT / "tests" / "corpus" / "stag_hunt_table.game")
    assert linearity(model) == "nonlinear"  # indicators of the choices, as before


def test_derive_small_table_written_out():
    text = derive(load_model(ROOT / "specs" / "rock_paper_scissors.game")).plain()
    assert "u_one: win*x[Paper]*y[Rock]" in text
    pd = derive(load_model(ROOT / "specs" / "prisoners_dilemma.game")).plain()
    assert "pure equilibrium conditions" in pd
    assert "True" in pd and "truncated" not in pd


def test_derive_large_table_is_bounded():
    rng = np.random.default_rng(5)
    payoffs = rng.integers(-9, 10, size=(2, 15, 15))
    model = model_from_string(table_spec(payoffs))
    items = dict(derive(model).sections)
    ne = items["pure equilibrium conditions"]
    assert ne[-1][0] == "truncated" and "225" in ne[-1][1]
    for label, cond in ne[:-1]:  # each shown profile decided as brute force decides it
        key = tuple(int(e[1:]) for e in label[1:label.index(")")].split(", "))
        best = (payoffs[0][key] >= payoffs[0][:, key[1]].max()
                and payoffs[1][key] >= payoffs[1][key[0], :].max())
        assert cond == sympy.true if best else cond == sympy.false


def test_large_tables_build():
    rng = np.random.default_rng(50)
    payoffs = rng.integers(-99, 100, size=(2, 50, 50))
    nf = build_normal_form(model_from_string(table_spec(payoffs)))
    np.testing.assert_array_equal(nf.payoffs, payoffs)
    three = rng.integers(-9, 10, size=(3, 10, 10, 10))
    nf3 = build_normal_form(model_from_string(table_spec(three)))
    np.testing.assert_array_equal(nf3.payoffs, three)


@pytest.mark.parametrize("rows, message", [
    ("(A, A): (1, 1)\n(A, A): (2, 2)\n(A, B): (0, 0)\n(B, A): (0, 0)\n(B, B): (0, 0)",
     "appears twice"),
    ("(A, A): (1, 1)\n(A, B): (0, 0)\n(B, A): (0, 0)", "missing ('B', 'B')"),
    ("(A, A): (1, 1)\n(A, C): (0, 0)\n(B, A): (0, 0)\n(B, B): (0, 0)", "`C` is not a choice"),
    ("(A, A): (x, 1)\n(A, B): (0, 0)\n(B, A): (0, 0)\n(B, B): (0, 0)", "cannot depend"),
])
def test_table_errors(rows, message):
    text = ("player one { choose x in {A, B} }\nplayer two { choose y in {A, B} }\n"
            f"table {{\n{rows}\n}}\n")
    with pytest.raises(SpecError, match=re.escape(message)):
        model_from_string(text)
