"""The samples the pictures of a continuous game need (`Result.extra["figures"]`, asked
for with the option `figures = true`): best-response curves on a grid with the fixed
points, and a leader's payoff and its followers' response over the leader's strategy.
The plots draw these and compute nothing (gamespec/plots/)."""
from __future__ import annotations

import numpy as np
import sympy

from gamespec.model import Model
from gamespec.solvers import continuous as cont
from gamespec.solvers.continuous import lowered_model

CURVE_POINTS = 401
STATE_POINTS = 801


def figure_data(model: Model, shape: str, strategies: dict, extra: dict,
                selection: str | None = None) -> dict:
    """{"best-response": ..., "leader": ...} for the game's shape; the first is the
    default picture (a two-player leader's problem; a population's best response).
    `selection`: the population's fixed-point rule, as the solve used it."""
    params = model.scalar_values()
    players = list(model.players.values())
    out: dict = {}
    if shape in ("nash", "stackelberg"):
        if shape == "stackelberg":
            players = [model.players[model.order[0][0]], model.players[model.order[1][0]]]
            out["leader"] = _stackelberg_leader(model, players, strategies, params)
        out["best-response"] = _two_players(model, players, shape, params)
        return out
    population = next(p for p in players if p.kind == "population")
    field, own = population.fields[0], population.strategies[0].symbol
    leader = next((p for p in players if p.kind != "population"), None)
    x = float(strategies[leader.name]) if leader is not None else None
    low, high = _bounds(model, population)
    args = (field.symbol,) + ((leader.strategies[0].symbol,) if leader else ())
    br = cont.BestResponseMap(_payoff(model, population.name), own, low, high, params,
                              args=args)
    out["best-response"] = _population(model, br, field, own, population, leader, x, low, high,
                                       strategies, extra, params)
    if leader is not None:
        out["leader"] = _population_leader(model, leader, population, field, own, strategies,
                                           params, selection)
    return out


_payoff = lowered_model.payoff  # through the one lowering, as the method reads them
_bounds = lowered_model.bounds


def _map(model: Model, player, args, params, grid: int = 601) -> cont.BestResponseMap:
    low, high = _bounds(model, player)
    return cont.BestResponseMap(_payoff(model, player.name), player.strategies[0].symbol,
                                low, high, params, args=tuple(args), grid=grid)


def _axis(model: Model, player) -> dict:
    low, high = _bounds(model, player)
    return {"player": player.name, "symbol": str(player.strategies[0].symbol),
            "low": low, "high": high}


def _two_players(model: Model, players, shape: str, params) -> dict:
    a, b = players
    axes = [_axis(model, a), _axis(model, b)]
    grid_a = np.linspace(axes[0]["low"], axes[0]["high"], CURVE_POINTS)
    grid_b = np.linspace(axes[1]["low"], axes[1]["high"], CURVE_POINTS)
    br_a, _ = _map(model, a, (b.strategies[0].symbol,), params).batch([grid_b])
    br_b, _ = _map(model, b, (a.strategies[0].symbol,), params).batch([grid_a])
    return {"shape": "two players", "axes": axes,
            "curves": [{"player": a.name, "against": grid_b, "response": br_a},
                       {"player": b.name, "against": grid_a, "response": br_b}],
            "answer": "Stackelberg outcome (leader commits)" if shape == "stackelberg"
            else "Nash equilibrium"}


def _population(model: Model, br, field, own, population, leader, x, low, high, strategies, extra,
                params) -> dict:
    aggregate = lowered_model.numpy_function(model, lowered_model.field_body(model, field),
                                             [own])

    def response(s: np.ndarray) -> np.ndarray:
        columns = [np.broadcast_to(aggregate(s), s.shape).astype(float)]
        columns += [np.full_like(s, x)] if leader is not None else []
        return br.batch(columns)[0]

    listed = extra.get("fixed_points_at_answer", extra.get("fixed_points", []))
    points = [{"s": float(p["s"]), "stable": bool(p["stable"]),
               "best_response": str(p["best_response"])} for p in listed]
    chosen = float(strategies[population.name])
    whole = np.linspace(low, high, STATE_POINTS)
    full = response(whole)
    inner = [v for v in [p["s"] for p in points] + [chosen] + list(full)
             if v < low + 0.5 * (high - low)]
    top = min(high, max(inner, default=high) * 1.3)
    zoom = None
    if top < low + 0.6 * (high - low):  # the answer sits low in a wide interval: a zoom
        near = np.linspace(low, top, STATE_POINTS)
        zoom = {"upper": top, "s": near, "response": response(near)}
    return {"shape": "population", "player": population.name, "symbol": str(own),
            "field": field.name,
            "field_formula": sympy.sstr(field.body.xreplace({own: sympy.Symbol("s")})),
            "low": low, "high": high, "s": whole, "response": full, "zoom": zoom,
            "fixed_points": points,
            "against": None if leader is None else {
                "player": leader.name, "symbol": str(leader.strategies[0].symbol),
                "value": x}}


def _leader_payoff(model: Model, leader, symbols, xs, columns, params) -> np.ndarray:
    fn = lowered_model.numpy_function(model, _payoff(model, leader.name), symbols)
    with np.errstate(all="ignore"):
        return np.broadcast_to(fn(xs, *columns), xs.shape).astype(float)


def _stackelberg_leader(model: Model, players, strategies, params) -> dict:
    leader, follower = players
    lvar, fvar = leader.strategies[0].symbol, follower.strategies[0].symbol
    axis = _axis(model, leader)
    xs = np.linspace(axis["low"], axis["high"], CURVE_POINTS)
    ys, _ = _map(model, follower, (lvar,), params).batch([xs])
    return {"leader": leader.name, "symbol": str(lvar), "low": axis["low"],
            "high": axis["high"], "x": xs,
            "payoff": _leader_payoff(model, leader, [lvar, fvar], xs, [ys], params),
            "responses": [{"label": f"{follower.name}'s best response {fvar}", "values": ys,
                           "at_answer": float(strategies[follower.name])}],
            "response_axis": "follower's response", "symlog": False}


def _population_leader(model: Model, leader, population, field, own, strategies,
                       params, selection) -> dict:
    lvar = leader.strategies[0].symbol
    axis = _axis(model, leader)
    low, high = axis["low"], axis["high"]
    x_star = float(strategies[leader.name])
    # coarser grids than the solver's: this samples the curve, the answer is the solve's
    follower = cont.PopulationFollower(_map(model, population, (field.symbol, lvar), params,
                                            301),
                                       field=field.symbol, leader_var=lvar,
                                       aggregate=field.body, selection=selection,
                                       grid=101)
    near = np.linspace(max(low, x_star - 0.5 * (abs(x_star) + 1)),
                       min(high, x_star + 0.5 * (abs(x_star) + 1)), 41)
    xs = np.unique(np.concatenate([cont.sample_grid(low, high, 121), near, [x_star]]))
    answers = follower.batch(xs)
    s = np.array([r.values[own] if r is not None else np.nan for r in answers])
    f = np.array([r.values[field.symbol] if r is not None else np.nan for r in answers])
    return {"leader": leader.name, "symbol": str(lvar), "low": low, "high": high, "x": xs,
            "payoff": _leader_payoff(model, leader, [lvar, own, field.symbol], xs, [s, f],
                                     params),
            "responses": [{"label": f"{population.name}' equilibrium {own}", "values": s,
                           "at_answer": float(strategies[population.name])}],
            "response_axis": "population's response",
            "symlog": bool(high - low > 20 * (abs(x_star) + 1))}
