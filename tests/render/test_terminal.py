"""The terminal table renders generic structures only: a method's own fields show only
through its `facts`; the notebook tables need nothing from the renderers."""
from __future__ import annotations

from pathlib import Path

import pytest

import gamespec
from gamespec.notebook_tables import render_markdown
from gamespec.render.terminal import render_result
from gamespec.result import Certificate, Result

SPECS = Path(__file__).resolve().parents[2] / "specs"


def result_with(extra: dict) -> Result:
    return Result(game="g", spec="g.game", spec_sha256="0", method="lp", status="optimal",
                  values={"a": 1.0}, strategies={"a": "x"},
                  certificate=Certificate("check", 0.0, True, 1e-9), extra=extra)


def test_facts_are_printed_in_order_after_the_strategies():
    text = render_result(result_with({"facts": [["first", "one"], ["second", "2"]]}))
    lines = text.splitlines()
    row = next(k for k, line in enumerate(lines) if line.split() == ["a", "1", "x"])
    assert lines[row + 1:][:2] == ["first: one", "second: 2"]


def test_a_method_field_without_facts_is_not_rendered():
    text = render_result(result_with({"lp": {"leader_lp_value": 3.5, "duality_gap": 0.0,
                                             "shadow_prices": {"c": 1.0}}}))
    assert "3.5" not in text and "shadow" not in text


def test_lp_facts_carry_its_numbers():
    result = gamespec.loads("""game "Constrained"
player a { mixed p over {H, T}
           subject to cap: p[H] <= 0.25 }
player b { mixed q over {H, T} }
payoff a = p[H] * q[H] + p[T] * q[T] - p[H] * q[T] - p[T] * q[H]
zero_sum
""").solve(method="lp")
    lp = result.extra["lp"]
    # a plays H with 0.25: the value of the game is min over b of 0.25 q - 0.75 q ... = -0.5
    assert result.values["a"] == pytest.approx(-0.5, abs=1e-9)
    facts = dict(map(tuple, result.extra["facts"]))
    assert facts["lp"] == (f"leader's LP {lp['leader_lp_value']:.6g}, follower's LP "
                           f"{lp['follower_lp_value']:.6g} (duality gap {lp['duality_gap']:.6g})")
    assert facts["constraint cap"] == (f"{lp['constraint_lhs']['cap']:.6g} <= 0.25, shadow "
                                       f"price {lp['shadow_prices']['cap']:.6g}")
    assert "constraint cap: " + facts["constraint cap"] in render_result(result)


def test_notebook_table_of_an_enumeration():
    result = gamespec.load(SPECS / "prisoners_dilemma.game").solve()
    text = render_markdown(result)
    assert "| 1 | row | -2 | Defect |" in text and "✅" in text
    assert result._repr_markdown_() == text
