"""The `continuous` method's populations: a population alone (every symmetric fixed
point of its mean field, one selected by the spec's `select` rule) and a leader above a
population (the leader's optimum against the selected population equilibrium).
"""
from __future__ import annotations

import math

from gamespec.errors import SolverError, SpecError
from gamespec.model import Model
from gamespec.result import Certificate
from gamespec.solvers import continuous as cont
from gamespec.solvers.continuous import lowered_model

_payoff = lowered_model.payoff
_field_body = lowered_model.field_body
_value = lowered_model.value
_bounds = lowered_model.bounds


def result_certificate(cert: cont.Certificate, tolerance: float) -> Certificate:
    """The Result certificate; its tolerance is the one the check used, when it says."""
    used = cert.tolerance if math.isfinite(cert.tolerance) else tolerance
    return Certificate(cert.kind, float(cert.residual), bool(cert.ok), float(used),
                       {k: float(v) for k, v in cert.details.items()})


def population_parts(model: Model):
    population = next(p for p in model.players.values() if p.kind == "population")
    field = population.fields[0]
    own = population.strategies[0].symbol
    return population, field, own


def _br_map(model: Model, params: dict, args):
    population, field, own = population_parts(model)
    low, high = _bounds(model, population)
    return cont.BestResponseMap(_payoff(model, population.name), own, low, high, params,
                                args=args)


def selection_rule(model: Model) -> str:
    """The fixed-point selection rule of the spec's `select` statement, in
    `continuous.SELECTIONS` terms; rules it cannot honour are refused, not approximated."""
    rule = model.selection
    if rule is None or rule.kind == "first":
        return "payoff"
    population, _, own = population_parts(model)
    if rule.payoff_of is not None:
        if rule.payoff_of != population.name:
            raise SpecError(f"`select {rule.kind} payoff {rule.payoff_of}`: fixed points are "
                            f"selected by the population's own payoff", span=rule.span,
                            hint=f"write `select {rule.kind} payoff {population.name}`")
        return "payoff" if rule.kind == "max" else "min_payoff"
    if rule.target != own:
        raise SpecError(f"`select {rule.kind} EXPR` selects by the population's strategy "
                        f"`{own}` only", span=rule.span,
                        hint=f"write `select {rule.kind} {own}` or select by payoff")
    return "highest" if rule.kind == "max" else "lowest"


def solve_population(model: Model, shape: str, params: dict):
    population, field, own = population_parts(model)
    if shape == "population":
        br = _br_map(model, params, (field.symbol,))
        low, high = _bounds(model, population)
        found = cont.mean_field_fixed_points(br, low, high, field=field.symbol,
                                             aggregate=_field_body(model, field),
                                             selection=selection_rule(model))
        if found.selected is None:
            raise SolverError("the population has no symmetric pure equilibrium on the interval",
                              hint="its best response jumps across the diagonal")
        chosen = found.selected
        strategies = {population.name: chosen.s}
        values = {population.name: chosen.payoff}
        more = {"fixed_points": [_fixed_point(p) for p in found.fixed_points],
                "jumps": list(found.jumps)}
        return strategies, values, result_certificate(found.certificate, 1e-6), more
    leader = next(p for p in model.players.values() if p.kind != "population")
    lvar = leader.strategies[0].symbol
    br = _br_map(model, params, (field.symbol, lvar))
    follower = cont.PopulationFollower(br, field=field.symbol, leader_var=lvar,
                                       aggregate=_field_body(model, field),
                                       selection=selection_rule(model))
    low, high = _bounds(model, leader)
    result = cont.solve_leader(_payoff(model, leader.name), follower, low, high,
                               leader_var=lvar, params=params)
    response = result.follower.values
    s = float(response.get(own, response.get(str(own), float("nan"))))
    point = {lvar: result.x, own: s, field.symbol: float(response[field.symbol])}
    values = {leader.name: result.value,
              population.name: _value(model, population.name, point)}
    strategies = {leader.name: result.x, population.name: s}
    population_at_answer = follower.solve(result.x)
    more = {
        "leader_attained": result.attained,
        "leader_supremum": result.supremum,
        "follower_switches": [list(x) for x in result.switches],
        "fixed_points_at_answer": [_fixed_point(p) for p in population_at_answer.fixed_points],
        "followers_residual": result.follower.residual,
    }
    return strategies, values, result_certificate(result.certificate, 1e-6), more


def _fixed_point(p: cont.FixedPoint) -> dict:
    return {"s": p.s, "field": p.field, "residual": p.residual, "gain": p.gain,
            "payoff": p.payoff, "stable": p.stable, "best_response": p.response.describe()}
