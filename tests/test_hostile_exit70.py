"""Hostile input: exit 70 only for true bugs (issue 21, deliverable 6).

Each reproducer of the issue gets a located error, a clear exit 3, or a correct answer,
never `internal error` (exit 70).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from gamespec.cli import main

DYNAMICS = ("dynamics over r in [0, 5] {\n  coordinates u\n  lagrangian = u'^2 / 2 - u^2 / 2\n"
            "  initial u = 1, u' = 0\n}\n")


def _check(tmp_path: Path, text: str, command=("check",), extra=()) -> tuple[int, str, Path]:
    spec = tmp_path / "s.game"
    spec.write_text(text)
    code = main([*command, str(spec), *extra])
    return code, spec


@pytest.mark.parametrize("rounds, shown", [("{A, B, C}", "{A, B, C}"),
                                           ("{0.5, 1.5, 2.5}", "{0.5, 1.5, 2.5}")])
def test_update_rules_over_a_symbolic_or_fractional_set_are_located(tmp_path, capsys,
                                                                     rounds, shown):
    text = ('game "u"\nparam k = 0.5\nplayer a { choose x in [0, 1] }\n'
            f'payoff a = -(x - 0.5)^2\nupdate over i in {rounds} {{\n  T[i + 1] = k * T[i]\n'
            '  initial T[1] = 1\n}\n')
    for command in ("check", "info", "derive"):
        code, spec = _check(tmp_path, text, (command,))
        err = capsys.readouterr().err
        assert code == 2, err
        assert f"{spec}:5:18: error: update rules run over whole numbers" in err
        assert shown in err and "internal error" not in err


def test_update_rules_with_a_gap_are_located(tmp_path, capsys):
    text = ('game "u"\nplayer a { choose x in [0, 1] }\npayoff a = -(x - 0.5)^2\n'
            'update over i in {1, 3, 5} {\n  T[i + 1] = T[i] / 2\n  initial T[1] = 1\n}\n')
    code, spec = _check(tmp_path, text)
    assert code == 2
    assert f"{spec}:4:18: error: update rules need consecutive rounds" \
        in capsys.readouterr().err


def test_a_field_named_like_the_members_strategy_is_located(tmp_path, capsys):
    text = ('game "p"\npopulation animals of 100 {\n  choose sigma in [0, 1]\n'
            '  field sigma = mean sigma^2\n}\npayoff animals = sigma * (1 - sigma)\n')
    code, spec = _check(tmp_path, text, ("solve",))
    err = capsys.readouterr().err
    assert code == 2
    assert f"{spec}:4:3: error: field `sigma` has the name of a strategy of `animals`" in err


def test_a_player_without_payoff_beside_a_dynamics_block_is_located(tmp_path, capsys):
    text = ('game "d"\nplayer a { choose x in {1, 2} }\nplayer b { choose y in {1, 2} }\n'
            'payoff b = x * y\n' + DYNAMICS)
    for command in ("info", "derive", "solve"):
        code, spec = _check(tmp_path, text, (command,))
        err = capsys.readouterr().err
        assert code == 2, err
        assert f"{spec}:2:1: error: player `a` has no payoff" in err


def test_players_beside_dynamics_with_no_payoff_at_all_still_load(tmp_path, capsys):
    code, _ = _check(tmp_path, 'game "d"\nplayer a { choose x in [0, 1] }\n' + DYNAMICS)
    assert code == 0


@pytest.mark.parametrize("factor, source", [("0", "from 1 and 2"),
                                            ("1e-300 * 1e-300", "from 1 and 2")])
def test_a_scaled_set_that_merges_elements_is_refused(tmp_path, capsys, factor, source):
    # the wrong answer of the issue: `mixed f over V` with V = {0, 0, 0} "solved" by lp
    text = (f'game "d"\nset V = {{1, 2, 3}} * {factor}\nplayer a {{ mixed f over V }}\n'
            'player b { mixed g over V }\npayoff a = sum(v in V) f[v] * v - sum(v in V) g[v] * v\n'
            'payoff b = sum(v in V) g[v] * v - sum(v in V) f[v] * v\n')
    code, spec = _check(tmp_path, text, ("solve",))
    err = capsys.readouterr().err
    assert code == 2
    assert f"{spec}:2:9: error: this set has the element 0 twice ({source})" in err


def test_a_spec_name_over_255_bytes_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / ("y" * 300 + ".game")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "File name too long" in err and "internal error" not in err


def test_pure_profiles_limit_of_1e30_describes_huge_searches(tmp_path, capsys):
    text = ('game "two"\nplayer a { choose x in 1..100000 }\n'
            'player b { choose y in 1..100000 }\npayoff a = x * y - x^2\npayoff b = x * y - y^2\n')
    code, _ = _check(tmp_path, text, ("info",), ("--limit", "pure_profiles=1e30"))
    out = capsys.readouterr().out
    assert code == 0
    # C(200000, 100000) vertex bases: 2^200000 / sqrt(pi * 100000), about 10^60203
    assert "the enumeration would examine about 10^60203 vertex bases" in out


def test_floor_and_reciprocal_in_a_continuous_payoff_end_cleanly(tmp_path, capsys):
    floor_spec = ('game "f"\nplayer a { choose x in [0, 10] }\nplayer b { choose y in [0, 10] }\n'
                  'payoff a = floor(x) * y - x^2\npayoff b = x * y - y^2\n')
    for command in ("info", "derive", "solve"):
        code, _ = _check(tmp_path, floor_spec, (command,))
        assert code in (0, 3)
        assert "internal error" not in capsys.readouterr().err
    inverse = floor_spec.replace("floor(x) * y - x^2", "1/x * y - x")
    code, _ = _check(tmp_path, inverse, ("solve",))
    assert code in (0, 3)
    assert "internal error" not in capsys.readouterr().err
