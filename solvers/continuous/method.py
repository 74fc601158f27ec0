"""The `continuous` method (registry entry): which Models it takes and its Result.
Nash with any number of players and families (nash_method.py), two-player Stackelberg
(stackelberg.py), a leader above a mean-field population or a population alone
(population_method.py); shapes in shapes.py, the derivation in derive_method.py.

Payoffs are taken from the Model with `let` definitions expanded, parameters passed as
numbers; the numerical and symbolic work is done by the modules of this package.
"""
from __future__ import annotations

import sympy

from gamespec import lowering
from gamespec.analysis import Classification
from gamespec.errors import SolverError, SpecError
from gamespec.model import IntervalDomain, Model, Player
from gamespec.result import Result, Status
from gamespec.solvers import continuous as cont
from gamespec.solvers.continuous import lowered_model, nash_method
from gamespec.solvers.continuous.derive_method import derive
from gamespec.solvers.continuous.population_method import (
    result_certificate,
    selection_rule,
    solve_population,
)
from gamespec.solvers.continuous.shapes import has_family, refusal, shape_of
from gamespec.solvers.registry import Refusal, SolverEntry

__all__ = ["ENTRY", "can_solve", "derive", "selection_rule", "shape_of", "solve"]


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    if not cls.continuous:
        return False, "needs interval strategies"
    if cls.dynamic:
        return False, "the game is dynamic"
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    strategy_symbols = {st.symbol for st in model.strategies()}
    for player in model.players.values():
        for st in player.strategies:
            domain = st.domain
            if isinstance(domain, IntervalDomain) and (
                    (domain.low.free_symbols | domain.high.free_symbols) & strategy_symbols):
                return False, Refusal(f"the interval of `{player.name}` depends on another "
                                      f"player's strategy", st.span)
    if shape_of(model) is None:
        reason = refusal(model)
        if reason is not None:
            return False, Refusal(*reason)
        return False, ("supported: simultaneous players and families (Nash), two players "
                       "leader -> follower, a leader -> a population with one mean field, or "
                       "a population alone")
    if shape_of(model) == "nash":
        try:
            nash_method.lowered(model)
        except (lowering.LoweringError, SpecError) as exc:
            return False, Refusal(exc.message, exc.span)
        return True, ""
    try:  # every expression the method evaluates must lower to NumPy
        for player in model.players.values():
            if isinstance(player.strategies[0].domain, IntervalDomain):
                _bounds(model, player)
            _payoff(model, player.name)
            for mean_field in player.fields:
                _field_body(model, mean_field)
    except (lowering.LoweringError, SpecError) as exc:
        return False, Refusal(exc.message, exc.span)
    return True, ""


_payoff = lowered_model.payoff
_field_body = lowered_model.field_body
_value = lowered_model.value
_bounds = lowered_model.bounds


def solve(model: Model, cls: Classification, options: dict) -> Result:
    shape = shape_of(model)
    params = model.scalar_values()
    extra: dict = {"shape": shape}
    derived: dict = {}
    if shape == "nash":
        strategies, values, certificate, derived, more = nash_method.solve_nash(model)
        extra.update(more)
    elif shape == "stackelberg":
        leader, follower = model.players[model.order[0][0]], model.players[model.order[1][0]]
        result = cont.stackelberg_continuous(
            _payoff(model, leader.name), _payoff(model, follower.name),
            leader.strategies[0].symbol, follower.strategies[0].symbol,
            _bounds(model, leader), _bounds(model, follower), params)
        strategies = {leader.name: _strategy_value(result.strategies, leader),
                      follower.name: _strategy_value(result.strategies, follower)}
        values = _player_values(model, [leader, follower], strategies, params)
        if result.closed_form:
            derived["closed_form"] = {str(k): sympy.sstr(v)
                                      for k, v in result.closed_form.items()}
            extra["closed_form_agrees"] = result.agrees
        if result.agrees and "best_grid_leader" in result.certificate.details:
            extra["covers"] = ("the leader's optimum: the closed form, certified by a global "
                               "search of the leader's interval against the follower's global "
                               "best response at every point")
        certificate = result_certificate(result.certificate, 1e-6)
    else:
        strategies, values, certificate, more = solve_population(model, shape, params)
        extra.update(more)
    compare = {}
    if options.get("figures") and shape == "nash" and (
            len(model.players) != 2 or has_family(model)
            or any(len(p.strategies) > 1 for p in model.players.values())):
        extra["figures"] = {"unavailable": {"best-response": "drawn for two named players "
                                                             "with one interval each only"}}
    elif options.get("figures"):  # what the plots draw (gamespec/plots/)
        from gamespec.solvers.continuous.figure_data import figure_data

        extra["figures"] = figure_data(model, shape, strategies, extra, selection_rule(model)
                                       if shape.startswith("population") else None)
    return Result(
        game=model.title, spec=model.path, spec_sha256=model.sha256, method=ENTRY.name,
        status=Status.EQUILIBRIUM if certificate.ok else Status.NOT_CERTIFIED, values=values,
        strategies=strategies, certificate=certificate, derived=derived, extra=extra,
        compare=compare, covers=extra.get("covers", ""),
        parameters={p.name: p.value for p in model.params.values()
                    if not p.index_sets and p.value is not None},
    )


def _strategy_value(strategies: dict, player: Player) -> float:
    symbol = player.strategies[0].symbol
    for key in (player.name, symbol, str(symbol)):
        if key in strategies:
            return float(strategies[key])
    raise SolverError(f"the continuous solver returned no strategy for `{player.name}`")


def _player_values(model: Model, players, strategies: dict, params: dict) -> dict:
    point = {p.strategies[0].symbol: strategies[p.name] for p in players}
    return {p.name: _value(model, p.name, point) for p in players}


ENTRY = SolverEntry(
    name="continuous",
    covers=('one pure equilibrium, from first-order, switch and end-point candidates of every'
            ' best response (a population: every fixed point searched, one selected); others '
            'are not ruled out; simultaneous games say what their search covered'),
    summary="interval strategies: Nash (any number of players and families), Stackelberg, "
            "leaders over mean-field populations",
    can_solve=can_solve,
    solve=solve,
    derive=derive,
)
