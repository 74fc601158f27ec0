"""Errors that teach: the ten most likely mistakes each get a located message and a hint
that names the fix."""
from __future__ import annotations

import pytest

from gamespec.cli import main

TWO_CHOICES = """game "Two choices"
player a { choose x in {0, 1} }
player b { choose y in {0, 1} }
payoff a = x * y
payoff b = x + y
"""

CASES = {
    "misspelled name": (
        ["check"],
        'game "Typo"\nparam budget = 10\nplayer a { choose x in [0, 1] }\n'
        "payoff a = budjet * x\n",
        "4:12: error: unknown name `budjet`", "hint: did you mean `budget`?"),
    "wrong index set": (
        ["check"],
        'game "Index"\nset R = 1..3\nset S = {Low, High}\nparam w[r in R] = r\n'
        "player a { choose x in [0, 1] }\npayoff a = sum(s in S) w[s] * x\n",
        "6:26: error: index `s` ranges over S, but this position of `w` is indexed by R",
        "hint: use an index that ranges over R"),
    "missing over": (
        ["check"],
        'game "Over"\nset R = 1..3\nplayer a { mixed f R }\nplayer b { choose y in [0, 1] }\n'
        "payoff a = sum(r in R) f[r] * y\npayoff b = y\n",
        "3:20: error: unexpected 'R'", "hint: a mixed strategy is written `mixed f over SET`"),
    "payoff for an undeclared player": (
        ["check"],
        TWO_CHOICES + "payoff carol = y\n",
        "6:1: error: payoff for `carol`, which is not a player",
        "hint: declare it with `player carol { choose ... }`; the players are: a, b"),
    "nonlinear payoff given to the LP method": (
        ["solve", "--method", "lp"],
        'game "Squares"\nset R = 1..2\nplayer a { mixed f over R }\nplayer b { mixed g over R }\n'
        "payoff a = sum(r in R) f[r]^2 * g[r]\nzero_sum\n",
        "error: method `lp` does not apply: the payoff is polynomial in the strategies, "
        "not bilinear", "hint: methods that apply to this game: enumerate, brd"),
    "= instead of : in a named constraint": (
        ["check"],
        'game "Named"\nplayer a { choose x in [0, 1]\n  subject to budget = x <= 1 }\n'
        "player b { choose y in [0, 1] }\npayoff a = x * y\npayoff b = y\n",
        "3:21: error: unexpected '='",
        "hint: a named constraint is written `subject to NAME: lhs <= rhs`"),
    "a set used as a value": (
        ["check"],
        'game "Set"\nset R = 1..3\nplayer a { choose x in [0, 1] }\npayoff a = R * x\n',
        "4:12: error: `R` is a set, not a value",
        "hint: use card(R) for its size, or sum(k in R) ... over its elements"),
    "a strict inequality as a constraint": (
        ["check"],
        'game "Strict"\nplayer a { choose x in [0, 1]\n  subject to cap: x < 1 }\n'
        "player b { choose y in [0, 1] }\npayoff a = x * y\npayoff b = y\n",
        "3:19: error: strict inequalities cannot be constraints", "hint: use <= instead"),
    "an unknown function": (
        ["check"],
        'game "Function"\nplayer a { choose x in [0, 1] }\npayoff a = sqr(x)\n',
        "3:12: error: unknown function `sqr`", "hint: did you mean `sqrt`?"),
    "an unknown method": (
        ["solve", "--method", "LP"],
        TWO_CHOICES,
        "error: unknown method `LP`", "hint: did you mean `lp`? methods: lp, backward_induction"),
}


@pytest.mark.parametrize("mistake", list(CASES))
def test_mistake_gets_a_hint_that_names_the_fix(mistake, tmp_path, capsys):
    command, spec, message, hint = CASES[mistake]
    path = tmp_path / "mistake.game"
    path.write_text(spec, encoding="utf-8")
    code = main([command[0], str(path), *command[1:]])
    err = capsys.readouterr().err
    assert code in (2, 3)
    assert "Traceback" not in err and "internal error" not in err
    first = err.splitlines()[0]
    assert message in first, first
    if ":" in message.split("error:")[0]:  # a located error points into the spec
        assert first.startswith(f"{path}:"), first
    hints = [line for line in err.splitlines() if line.startswith("hint: ")]
    assert any(line.startswith(hint) for line in hints), hints


def test_a_player_used_as_a_value_points_at_the_use(tmp_path, capsys):
    path = tmp_path / "p.game"
    path.write_text(TWO_CHOICES.replace("payoff a = x * y", "payoff a = x * b"))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:4:16: error: `b` is a player, not a value")
    assert "hint: use the player's strategy variable" in err


def test_a_game_without_players_says_what_to_add(tmp_path, capsys):
    path = tmp_path / "empty.game"
    path.write_text("param q = 1\n")
    assert main(["solve", str(path)]) == 3
    err = capsys.readouterr().err
    assert "the spec declares no players" in err and "hint: add `player NAME" in err
