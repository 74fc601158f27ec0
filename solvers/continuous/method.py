"""Continuous games from the Model: Nash with any number of players and families (e.g.
n-firm Cournot; nash_method.py), two-player Stackelberg, and a
leader above a mean-field population (the obfuscation paper), or a population alone.

Payoffs are taken from the Model with `let` definitions expanded, parameters passed as
numbers; the numerical and symbolic work is done by the modules of this package.
"""
from __future__ import annotations

import math

import sympy

from gamespec import lowering
from gamespec.analysis import Classification
from gamespec.errors import SolverError, SpecError
from gamespec.model import IntervalDomain, Model, Player
from gamespec.result import Certificate, Result, Status
from gamespec.solvers import continuous as cont
from gamespec.solvers.continuous import lowered_model, nash_method
from gamespec.solvers.registry import Refusal, SolverEntry


def _interval_player(player: Player) -> bool:
    return len(player.strategies) == 1 and isinstance(player.strategies[0].domain,
                                                      IntervalDomain) \
        and (player.kind == "family" or not player.strategies[0].indexed) \
        and player.kind in ("single", "population", "family")


def shape_of(model: Model) -> str | None:
    """nash, stackelberg, population_leader, population, or None."""
    players = list(model.players.values())
    if not players or not all(_interval_player(p) for p in players):
        return None
    populations = [p for p in players if p.kind == "population"]
    families = [p for p in players if p.kind == "family"]
    if len(players) == 2 and not populations and not families \
            and model.order_declared and len(model.order) == 2:
        return "stackelberg"
    if not populations:  # simultaneous: any number of players and family members
        return None if model.order_declared and len(model.order) > 1 else "nash"
    if families:
        return None
    if len(players) == 2 and len(populations) == 1 and len(populations[0].fields) == 1:
        leader = next(p for p in players if p.kind != "population")
        if model.order_declared and model.order[0] == (leader.name,):
            return "population_leader"
    if len(players) == 1 and populations and len(populations[0].fields) == 1:
        return "population"
    return None


def can_solve(model: Model, cls: Classification) -> tuple[bool, str]:
    if not cls.continuous:
        return False, "needs interval strategies"
    if cls.dynamic:
        return False, "the game is dynamic"
    if model.free_params():
        return False, "parameters without values: " + ", ".join(model.free_params())
    strategy_symbols = {st.symbol for st in model.strategies()}
    for player in model.players.values():
        domain = player.strategies[0].domain
        if isinstance(domain, IntervalDomain) and (
                (domain.low.free_symbols | domain.high.free_symbols) & strategy_symbols):
            return False, Refusal(f"the interval of `{player.name}` depends on another "
                                  f"player's strategy", player.strategies[0].span)
    if shape_of(model) is None:
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


def _certificate(cert: cont.Certificate, tolerance: float) -> Certificate:
    """The Result certificate; its tolerance is the one the check used, when it says."""
    used = cert.tolerance if math.isfinite(cert.tolerance) else tolerance
    return Certificate(cert.kind, float(cert.residual), bool(cert.ok), float(used),
                       {k: float(v) for k, v in cert.details.items()})


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
            derived["closed_form"] = {str(k): sympy.sstr(v) for k, v in result.closed_form.items()}
            extra["closed_form_agrees"] = result.agrees
        certificate = _certificate(result.certificate, 1e-6)
    else:
        strategies, values, certificate, more = _solve_population(model, shape, params)
        extra.update(more)
    compare = {}
    if options.get("figures") and shape == "nash" and (
            len(model.players) != 2 or _has_family(model)):
        extra["figures"] = {"unavailable": {"best-response": "drawn for two named players "
                                                             "only"}}
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


def _solve_population(model: Model, shape: str, params: dict):
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
        return strategies, values, _certificate(found.certificate, 1e-6), more
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
    return strategies, values, _certificate(result.certificate, 1e-6), more


def _fixed_point(p: cont.FixedPoint) -> dict:
    return {"s": p.s, "field": p.field, "residual": p.residual, "gain": p.gain,
            "payoff": p.payoff, "stable": p.stable, "best_response": p.response.describe()}


def derive(model: Model, cls: Classification, derivation) -> None:
    """Best responses (first-order conditions, thresholds), fixed-point conditions and the
    leader's reduced problem, symbolic in the parameters."""
    shape = shape_of(model)
    items = []
    followers = [p for p in model.players.values()
                 if (shape == "nash" and p.kind == "single" and not _has_family(model))
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
            items.append((f"{player.name}: first-order condition (branch {k + 1}, "
                          f"{sympy.sstr(branch.condition)})", branch.foc))
            if branch.stationary:
                items.append((f"{player.name}: stationary points", sympy.Tuple(*branch.stationary)))
        if d.switch_points:
            items.append((f"{player.name}: branch switch points",
                          sympy.Tuple(*d.switch_points)))
        items.append((f"{player.name}: best response", d.closed_form if d.closed_form is not None
                      else d.rule))
        for note in d.notes:
            items.append((f"{player.name}: note", note))
    if shape in ("population", "population_leader"):
        population, field, own = population_parts(model)
        items.append(("population: symmetric equilibrium",
                      f"s = BR({field.name} = {sympy.sstr(field.body.xreplace({own: sympy.Symbol('s')}))})"
                      " with s in the best-response set; all fixed points are searched"))
    if shape == "population_leader":
        population, field, own = population_parts(model)
        leader = next(p for p in model.players.values() if p.kind != "population")
        items.append(("leader's reduced problem",
                      f"maximise {sympy.sstr(_payoff(model, leader.name))} over "
                      f"{leader.strategies[0].symbol} in {leader.strategies[0].domain.describe()}"
                      f", with ({own}, {field.name}) = Gamma({leader.strategies[0].symbol}), the "
                      "selected population equilibrium"))
    branched = _branched_payoffs(model) if shape == "stackelberg" or (
        shape == "nash" and not _has_family(model)) else []
    if branched:
        items.append(("closed form", "none offered: the payoff of " + ", ".join(branched)
                      + " has indicator or if-then-else branches in its own strategy, which "
                      "first-order conditions alone would ignore (solve compares every "
                      "branch and the interval's ends)"))
    if shape == "stackelberg":
        leader = model.players[model.order[0][0]]
        follower = model.players[model.order[1][0]]
        items.append(("leader's reduced problem",
                      f"maximise {sympy.sstr(_payoff(model, leader.name))} with the follower's "
                      "best response substituted"))
        for solution in [] if branched else cont.stackelberg_closed_form(
                _payoff(model, leader.name), _payoff(model, follower.name),
                leader.strategies[0].symbol, follower.strategies[0].symbol):
            for key, value in solution.items():
                items.append((f"closed form: {key}", value))
    if shape == "nash":
        items += [] if branched else nash_method.derive_items(model)
    derivation.add("continuous game: best responses and equilibrium conditions", items)


def _has_family(model: Model) -> bool:
    return any(p.kind == "family" for p in model.players.values())


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
