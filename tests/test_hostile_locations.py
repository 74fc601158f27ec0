"""Hostile input: locations everywhere (issue 21, deliverable 9).

Errors the spec causes carry path:line:col; a BOM is accepted; `--set` numbers follow the
language's number syntax; internal set names (`_LINE_COL`) stay out of messages.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from gamespec.cli import main

TWO = ('game "x"\nplayer a { choose x in {1, 2} }\nplayer b { choose y in {1, 2} }\n'
       'payoff a = x * y\npayoff b = x + y\n')


def _write(tmp_path: Path, text: str, data: bytes | None = None) -> Path:
    spec = tmp_path / "s.game"
    if data is not None:
        spec.write_bytes(data)
    else:
        spec.write_text(text, encoding="utf-8")
    return spec


def test_solve_using_an_unknown_method_is_located(tmp_path, capsys):
    spec = _write(tmp_path, TWO + "solve using nosuch\n")
    assert main(["solve", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:6:1: error: unknown method `nosuch`" in err
    assert main(["solve", str(spec), "--method", "nosuch2"]) == 2  # from the command line:
    assert capsys.readouterr().err.startswith("gamespec: error: unknown method `nosuch2`")


def test_an_empty_integration_span_is_located(tmp_path, capsys):
    spec = _write(tmp_path, 'game "x"\nparam t = 3\ndynamics over r in [t, 3] {\n'
                  "  coordinates u\n  lagrangian = u'^2 / 2 - u^2 / 2\n"
                  "  initial u = 1, u' = 0\n}\n")
    assert main(["check", str(spec)]) == 2
    assert f"{spec}:3:20: error: empty integration span [3, 3]" in capsys.readouterr().err
    assert main(["check", str(spec), "--set", "t=0"]) == 0


def test_a_payoff_beyond_the_float_range_is_located_not_exit_70(tmp_path, capsys):
    spec = _write(tmp_path, TWO.replace("payoff a = x * y", "param big = 1e300\n"
                                        "payoff a = big * big * x"))
    assert main(["solve", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:5:1: error: the payoff of `a` is not finite" in err
    assert "internal error" not in err


def test_a_byte_order_mark_at_the_start_is_accepted(tmp_path, capsys):
    spec = _write(tmp_path, "", data=b"\xef\xbb\xbf" + TWO.encode())
    assert main(["check", str(spec)]) == 0
    bad = _write(tmp_path, "", data=b"\xef\xbb\xbf" + TWO.replace("x + y", "x + zz").encode())
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{bad}:5:16: error: unknown name `zz`"
    assert err[1] == "  payoff b = x + zz"


@pytest.mark.parametrize("value", ["1_000", "\u0661\u0662", ".5", "0x10", "inf", "nan", "1e5e"])
def test_set_values_follow_the_language_number_syntax(tmp_path, capsys, value):
    spec = _write(tmp_path, TWO.replace("payoff a = x * y", "param k = 1\npayoff a = k * x * y"))
    assert main(["check", str(spec), "--set", f"k={value}"]) == 2
    assert f"--set k: {value!r} is not a number" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["1000", "-2.5", "1e-3", "30%", "+4"])
def test_set_accepts_the_language_numbers(tmp_path, value):
    spec = _write(tmp_path, TWO.replace("payoff a = x * y", "param k = 1\npayoff a = k * x * y"))
    assert main(["check", str(spec), "--set", f"k={value}"]) == 0


def test_non_ascii_digits_in_a_spec_are_located(tmp_path, capsys):
    spec = _write(tmp_path, TWO.replace("payoff a = x * y", "payoff a = \u0661\u0662 * x"))
    assert main(["check", str(spec)]) == 2
    assert f"{spec}:4:12: error: number '\u0661\u0662' is not written with the digits 0-9" \
        in capsys.readouterr().err


def test_sets_written_in_place_are_named_by_their_elements(tmp_path, capsys):
    spec = _write(tmp_path, 'game "x"\nplayers f[i in 1..3] { choose x in {1, 2} }\n'
                  'param w[j in {5, 6}] = j\npayoff f = x[i] * w[i]\n')
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:4:21: error: index `i` ranges over {{1, 2, 3}}, but this position of " \
        "`w` is indexed by {5, 6}" in err
    assert "_2_" not in err and "_3_" not in err
    spec.write_text('game "x"\nplayers f[i in 1..3] { choose x in {1, 2} }\npayoff f = x[i]\n')
    assert main(["info", str(spec)]) == 0
    assert "f (family over {1, 2, 3}, 3 members)" in capsys.readouterr().out
