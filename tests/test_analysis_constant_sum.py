"""classify recognises constant-sum games: numerically on the payoff tensor (`choose` and
`mixed` over a table) and symbolically on the payoff sum (interval strategies)."""
from __future__ import annotations

import numpy as np
import pytest

from gamespec.analysis import classify, payoff_sum_constant
from gamespec.cli import main
from gamespec.language.loader import model_from_string

TABLE = """game "t"
player a {{ {a} }}
player b {{ {b} }}
table {{
  (L, L): ({p}, {q})  (L, R): ({r}, {s})
  (R, L): ({t}, {u})  (R, R): ({v}, {w})
}}
"""


def table_game(cells, kind="choose") -> str:
    strategy = {"choose": "choose {} in {{L, R}}", "mixed": "mixed {} over {{L, R}}"}[kind]
    names = dict(zip("pqrstuvw", cells))
    return TABLE.format(a=strategy.format("x"), b=strategy.format("y"), **names)


@pytest.mark.parametrize("seed", range(6))
def test_payoff_sum_constant_against_direct_check(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 5, size=2))
    A = rng.normal(size=shape) * 10.0 ** rng.integers(-2, 4)
    c = float(rng.choice([0.0, 2.0, -3.5, 1e3]))
    assert payoff_sum_constant(np.stack([A, c - A])) == pytest.approx(c, abs=1e-9 * max(1, c))
    B = c - A
    B.flat[-1] += 1e-3 * max(1.0, float(np.abs(A).max()))  # one profile off the constant
    assert payoff_sum_constant(np.stack([A, B])) is None
    assert payoff_sum_constant(np.stack([A, c - A, A])) is None  # three agents


@pytest.mark.parametrize("kind", ["choose", "mixed"])
@pytest.mark.parametrize("cells,constant", [
    ((2, 0, 0, 2, 0, 2, 2, 0), 2.0),  # matching pennies shifted: sum 2
    ((7, 3, 2, 8, 4, 6, 9, 1), 10.0),
    ((1, -1, -1, 1, -1, 1, 1, -1), 0.0),
    ((1, 1, 1, 1, 1, 1, 1, 1), 2.0),  # constant payoffs: also common interest
])
def test_table_games_are_constant_sum(cells, constant, kind):
    cls = classify(model_from_string(table_game(cells, kind)))
    assert cls.zero_sum is True and cls.constant_sum == pytest.approx(constant)
    assert cls.as_dict()["constant_sum"] == pytest.approx(constant)
    expected = "zero-sum" if constant == 0 else f"constant-sum (c = {constant:g})"
    assert cls.sum_kind == expected


@pytest.mark.parametrize("kind", ["choose", "mixed"])
def test_general_sum_table_is_not(kind):
    cls = classify(model_from_string(table_game((3, 3, 0, 5, 5, 0, 1, 1), kind)))
    assert cls.zero_sum is False and cls.constant_sum is None and cls.sum_kind is None


def test_declared_zero_sum_has_constant_zero():
    text = ('game "z"\nplayer a { choose x in {L, R} }\nplayer b { choose y in {L, R} }\n'
            "table {\n (L, L): (1)\n (L, R): (-2)\n (R, L): (0)\n (R, R): (3)\n}\nzero_sum\n")
    cls = classify(model_from_string(text))
    assert cls.zero_sum is True and cls.constant_sum == 0.0


@pytest.mark.parametrize("second,expected", [
    ("3 - x * y + k", (True, 4.0)),  # sum is the number 3 + k
    ("-x * y", (True, 0.0)),
    ("x", (False, None)),  # sum varies with the strategies
])
def test_interval_games_decided_symbolically(second, expected):
    text = (f'game "c"\nparam k = 1\nplayer a {{ choose x in [0, 1] }}\n'
            f"player b {{ choose y in [0, 1] }}\npayoff a = x * y\npayoff b = {second}\n")
    cls = classify(model_from_string(text))
    assert (cls.zero_sum, cls.constant_sum) == expected


def test_info_prints_the_constant(tmp_path, capsys):
    path = tmp_path / "cs.game"
    path.write_text(table_game((7, 3, 2, 8, 4, 6, 9, 1)))
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "zero-sum=yes" in out and "constant-sum (c = 10)" in out
    assert "lp: applies" in out
