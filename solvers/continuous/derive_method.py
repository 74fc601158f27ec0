"""The `continuous` method's derivation: best responses (first-order conditions,
thresholds), fixed-point conditions, the leader's reduced problem and closed forms,
symbolic in the parameters.
"""
from __future__ import annotations

import sympy

from gamespec.analysis import Classification
from gamespec.math_text import MathText
from gamespec.model import Model
from gamespec.solvers import continuous as cont
from gamespec.solvers.continuous import lowered_model, nash_method
from gamespec.solvers.continuous.population_method import population_parts
from gamespec.solvers.continuous.shapes import has_family, shape_of

_payoff = lowered_model.payoff


def derive(model: Model, cls: Classification, derivation) -> None:
    """Best responses (first-order conditions, thresholds), fixed-point conditions and the
    leader's reduced problem, symbolic in the parameters."""
    shape = shape_of(model)
    items = []
    followers = [p for p in model.players.values()
                 if (shape == "nash" and p.kind == "single" and not has_family(model)
                     and all(len(q.strategies) == 1 for q in model.players.values()))
                 or (shape in ("population", "population_leader")
                                        and p.kind == "population")
                 or (shape == "stackelberg" and p.name == model.order[1][0])]
    for player in followers:
        symbol = player.strategies[0].symbol
        domain = player.strategies[0].domain
        d = cont.symbolic_best_response(_payoff(model, player.name), symbol, domain.low,
                                        domain.high)
        for k, branch in enumerate(d.branches):
            if branch.constant:
                continue
            items.append((_branch_label(player.name, k, branch.condition), branch.foc))
            if branch.stationary:
                items.append((f"{player.name}: stationary points", sympy.Tuple(*branch.stationary)))
        if d.switch_points:
            items.append((f"{player.name}: branch switch points",
                          sympy.Tuple(*d.switch_points)))
        items.append((f"{player.name}: best response", _best_response(d)))
        for note in d.notes:
            items.append((f"{player.name}: note", note))
    if shape in ("population", "population_leader"):
        population, field, own = population_parts(model)
        items.append(("population: symmetric equilibrium",
                      MathText("s = BR(", sympy.Symbol(field.name), " = ",
                               field.body.xreplace({own: sympy.Symbol("s")}),
                               ") with s in the best-response set; all fixed points are "
                               "searched")))
    if shape == "population_leader":
        population, field, own = population_parts(model)
        leader = next(p for p in model.players.values() if p.kind != "population")
        symbol = leader.strategies[0].symbol
        items.append(("leader's reduced problem",
                      MathText("maximise ", _payoff(model, leader.name), " over ", symbol,
                               f" in {leader.strategies[0].domain.describe()}, with ", own,
                               ", ", sympy.Symbol(field.name), " the selected population "
                               "equilibrium at ", symbol)))
    branched = _branched_payoffs(model) if shape == "stackelberg" or (
        shape == "nash" and not has_family(model)) else []
    if branched:
        items.append(("closed form", "none offered: the payoff of " + ", ".join(branched)
                      + " has indicator or if-then-else branches in its own strategy, which "
                      "first-order conditions alone would ignore (solve compares every "
                      "branch and the interval's ends)"))
    if shape == "stackelberg":
        leader = model.players[model.order[0][0]]
        follower = model.players[model.order[1][0]]
        items.append(("leader's reduced problem",
                      MathText("maximise ", _payoff(model, leader.name), " with the "
                               "follower's best response substituted")))
        for solution in [] if branched else cont.stackelberg_closed_form(
                _payoff(model, leader.name), _payoff(model, follower.name),
                leader.strategies[0].symbol, follower.strategies[0].symbol):
            for key, value in solution.items():
                items.append((f"closed form: {key}", value))
    if shape == "nash":
        items += [] if branched else nash_method.derive_items(model)
    derivation.add("continuous game: best responses and equilibrium conditions", items)


def _best_response(d):
    """The clipped closed form, else the rule choosing among the candidates, else (the
    rule too large to print) what the rule does."""
    if d.closed_form is not None:
        return d.closed_form
    if d.rule is not None:
        return d.rule
    return MathText("the candidate among ", sympy.Tuple(*(c.point for c in d.candidates)),
                    " with the highest payoff where it is admissible (the comparison of the "
                    "candidates is too large to print)")


def _branch_label(name: str, k: int, condition) -> str:
    """`name: first-order condition`, with the branch's condition when it has one."""
    if condition is sympy.true:
        return f"{name}: first-order condition"
    return MathText(f"{name}: first-order condition (branch {k + 1}, where ", condition, ")")


def _branched_payoffs(model: Model) -> list[str]:
    """Players whose payoff branches (indicator, if-then-else, max/min) on their own
    strategy: their first-order conditions do not give the equilibrium in closed form."""
    out = []
    for player in model.players.values():
        own = player.strategies[0].symbol
        payoff = _payoff(model, player.name)
        if any(own in node.free_symbols for node in payoff.atoms(sympy.Piecewise, sympy.Heaviside,
                                                                  sympy.Max, sympy.Min)):
            out.append(player.name)
    return out
