"""Property: on random finite stage games, the derived deviation conditions (symbolic in
the discount) call a trigger strategy sustained exactly when the best response found by
value iteration over the strategy's states gains nothing: the conditions are complete."""
from __future__ import annotations

import itertools

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gamespec.model import StageGame, TriggerStrategy
from gamespec.solvers.dynamics.isolate import holds_at
from gamespec.solvers.dynamics.trigger_check import best_responses
from gamespec.solvers.dynamics.triggers import deviation_checks, pure_equilibria

D = sp.Symbol("d", real=True)


@st.composite
def games(draw):
    sizes = (draw(st.integers(2, 3)), draw(st.integers(2, 3)))
    choices = tuple(tuple(f"a{k}" for k in range(n)) for n in sizes)
    payoffs = {prof: tuple(sp.Integer(draw(st.integers(-5, 9))) for _ in range(2))
               for prof in itertools.product(*choices)}
    stage = StageGame("", ("x", "y"), choices, payoffs)
    sustain = tuple(draw(st.sampled_from(c)) for c in choices)
    punish = tuple(draw(st.sampled_from(c)) for c in choices)
    return stage, sustain, punish


@settings(max_examples=40, deadline=None)
@given(games(), st.sampled_from(["grim", "tit_for_tat"]),
       st.sampled_from([0.2, 0.45, 0.7, 0.9]), st.sampled_from([None, 0.6]))
def test_conditions_agree_with_value_iteration(game, kind, d, detect):
    stage, sustain, punish = game
    if kind == "tit_for_tat":
        detect = None
    q = None if detect is None else sp.Rational(3, 5)
    strategy = TriggerStrategy("s", kind, q, None)
    checks = deviation_checks(stage, strategy, sustain, punish, D, {})
    point = {D: sp.Rational(str(d))}
    verdicts = {}
    for check in checks:
        at = holds_at(check.relation, point)
        verdicts.setdefault(check.player, []).append((at["holds"], at["at_boundary"]))
    found = best_responses(stage, kind, sustain, punish, d, detect, {})
    for br in found:
        mine = verdicts.get(br.player, [])
        if any(tie for _, tie in mine):
            continue
        deterred = all(h for h, _ in mine)
        assert deterred is (br.gain <= 1e-7), (br, mine, punish in pure_equilibria(stage, {}))
