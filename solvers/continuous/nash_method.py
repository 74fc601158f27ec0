"""The `continuous` method's simultaneous games: any number of named players (one interval
or a box of up to three each) and family members (one interval each; one player alone: its
optimum). Lowers the Model to
agents, checks each family's symmetry, solves (n_player.py) and builds the Result parts.
"""
from __future__ import annotations

import sympy

from gamespec.errors import SolverError
from gamespec.math_text import MathText
from gamespec.model import Model
from gamespec.result import Certificate
from gamespec.solvers.continuous import agents as agent_lowering
from gamespec.solvers.continuous.family_symbolic import representative
from gamespec.solvers.continuous.kkt import kkt_candidates, smooth_in_own
from gamespec.solvers.continuous.n_player import Equilibrium, solve_n_player


def lowered(model: Model, symbolic: bool = True):
    """(agents, payoffs, box, symmetric families: name -> agent indices)."""
    listed = agent_lowering.agents(model)
    payoffs = agent_lowering.payoffs(model, listed, symbolic)
    box = [agent_lowering.bounds(model, a) for a in listed]
    symmetric, refused = {}, []
    for player in model.players.values():
        if player.kind != "family":
            continue
        members = [k for k, a in enumerate(listed) if a.player == player.name]
        if agent_lowering.symmetric_family(model, player, listed, payoffs, box):
            if len(members) > 1:
                symmetric[player.name] = members
        else:
            refused.append(player.name)
    return listed, payoffs, box, symmetric, refused


def solve_nash(model: Model):
    """(strategies, values, certificate, derived, extra) of the method's Result."""
    listed, payoffs, box, symmetric, refused = lowered(model)
    params = _param_values(model)
    found = solve_n_player(payoffs, [a.symbol for a in listed], box, params, symmetric,
                           groups=agent_lowering.groups(listed))
    if not found.equilibria:
        raise SolverError("no pure Nash equilibrium found",
                          hint=f"searched: {found.search}")
    records = [_record(listed, payoffs, params, eq) for eq in found.equilibria]
    first = found.equilibria[0]
    strategies = dict(records[0]["profile"])
    values = dict(records[0]["payoffs"])
    residual = max(eq.check.residual for eq in found.equilibria)
    certificate = Certificate(
        "max unilateral gain", float(residual),
        all(eq.check.ok for eq in found.equilibria), float(first.check.tolerance),
        {f"gain_{a.name}": float(g) for a, g in zip(listed, first.check.gains)})
    derived = {}
    if first.exact is not None:
        derived["closed_form"] = {str(a.symbol): sympy.sstr(first.exact[a.symbol])
                                  for a in listed}
    if found.exhaustive:
        covers = f"all pure equilibria: {found.search}"
    elif found.symmetric_exhaustive:
        covers = (f"all symmetric pure equilibria: {found.search}; asymmetric ones are not "
                  "ruled out")
    else:
        covers = f"the pure equilibria found: {found.search}; others are not ruled out"
    extra = {"covers": covers, "method_detail": found.route,
             "certificate_search": ("global: each agent's payoff on a dense grid of its "
                                    "interval, refined (bounded) around the best cells"
                                    + ("; a player choosing a box deviates in all its "
                                       "choices at once: a 41-point-per-side tensor grid "
                                       "of its box, polished (L-BFGS-B) from the best "
                                       "cells" if len(listed) > len(
                                           agent_lowering.groups(listed)) else "")),
             "equilibrium_search": found.search,
             "search_exhaustive": found.exhaustive, "equilibria": records,
             "players": len(listed)}
    if symmetric:
        extra["symmetric_families"] = (
            "payoffs verified invariant under permuting the members of "
            + ", ".join(sorted(symmetric)) + "; one representative solved (symmetric "
            "equilibria)")
    if refused:
        extra["asymmetric_families"] = (
            ", ".join(refused) + ": payoffs not invariant under permuting members; every "
            "member solved on its own")
    if found.notes:
        extra["search_notes"] = found.notes
    return strategies, values, certificate, derived, extra


def _param_values(model: Model) -> dict:
    return {s: v for s, v in model.scalar_values().items()}


def _exact(expr: sympy.Expr, values: dict) -> str:
    """expr at the parameters' exact values (`_exact_values`): a rational number as it
    is, anything else simplified."""
    value = expr.xreplace(values)
    if value.is_Rational:
        return sympy.sstr(value)
    return sympy.sstr(sympy.nsimplify(sympy.simplify(value)))


def _payer(agent) -> str:
    """Whose payoff an agent's is: a family member's own, a named player's (one for all
    the choices of its box)."""
    return agent.name if agent.member is not None else agent.player


def _record(listed, payoffs, params: dict, eq: Equilibrium) -> dict:
    params = {s: sympy.nsimplify(v, rational=True) for s, v in params.items()}
    values = {_payer(a): float(v) for a, v in zip(listed, eq.values)}
    out = {"profile": {a.name: float(x) for a, x in zip(listed, eq.point)},
           "payoffs": values, "pure": True, "max_gain": float(eq.check.residual),
           "ok": bool(eq.check.ok)}
    if eq.exact is not None:
        out["exact"] = {a.name: _exact(eq.exact[a.symbol], params) for a in listed}
        try:
            out["exact_payoffs"] = {_payer(a): _exact(u.xreplace(eq.exact), params)
                                    for a, u in zip(listed, payoffs)}
        except (TypeError, ValueError):  # a library function SymPy cannot simplify
            pass
    return out


def derive_items(model: Model) -> list:
    """First-order conditions and every closed-form equilibrium (parameters by name)."""
    listed, payoffs, box, symmetric, refused = lowered(model)
    symbols = [a.symbol for a in listed]
    items = []
    for name in sorted(symmetric):
        items.append((f"{name}: symmetry", "payoffs invariant under permuting members "
                      "(checked by substitution): one representative solved"))
    for name in refused:
        items.append((f"{name}: symmetry", "refused: payoffs differ under permuting "
                      "members; every member solved"))
    if not smooth_in_own(payoffs, symbols):
        return items
    skip = {k for members in symmetric.values() for k in members[1:]}
    named_only = all(a.member is None and a.name == a.player  # method.derive gave them
                     for a in listed)
    for k, (a, u) in enumerate(zip(listed, payoffs)):
        if k not in skip and not named_only:
            foc = sympy.Eq(sympy.diff(u, a.symbol), 0)
            items.append((f"{a.name}: first-order condition", foc))
    try:
        found = solve_n_player(payoffs, symbols, box, _param_values(model), symmetric,
                               groups=agent_lowering.groups(listed))
    except SolverError:
        return items
    items.append(("equilibrium search", found.search))
    general = {}  # family -> (representative, its closed forms for any family size)
    for name in sorted(symmetric):
        rep = representative(model, model.players[name])
        if rep is not None:
            more, forms = _representative_items(model, name, rep)
            general[name] = (rep, forms)
            items += more
    for eq in found.equilibria:
        if eq.exact is None:
            continue
        for k, a in enumerate(listed):
            if k in skip:
                continue
            if a.player not in general:
                items.append((f"closed form: {a.symbol}", eq.exact[a.symbol]))
                continue
            rep, forms = general[a.player]
            at = f"{sympy.sstr(rep.size)} = {sympy.sstr(_at_values(rep.size, model))}"
            items.append((f"closed form at {at}: {a.symbol}", eq.exact[a.symbol]))
            agrees = any(sympy.cancel(_at_values(form - eq.exact[a.symbol], model)) == 0
                         for form in forms)
            items.append((f"{a.player}: check", f"the closed form for any "
                          f"{sympy.sstr(rep.size)} at {at} "
                          + ("agrees with" if agrees else "DIFFERS from")
                          + " the members' own system"))
    return items


def _representative_items(model: Model, name: str, rep) -> list:
    """The family as one member against size - 1 identical others, size symbolic."""
    size = sympy.sstr(rep.size)
    items = [(f"{name}: representative member",
              f"one member against {size} - 1 others at the same choice, the family size "
              f"{size} kept as a symbol (symmetry checked at {size} = "
              f"{sympy.sstr(_at_values(rep.size, model))})"),
             (f"{name}: first-order condition (any {size})", sympy.Eq(rep.foc, 0))]
    found = kkt_candidates([rep.foc], [rep.own], [rep.bounds], _param_values(model))
    forms = [solution[rep.own] for solution in found.solutions]
    for form in forms:
        items.append((f"closed form (any {size}): {rep.own}",
                      MathText(form, "   where ", *_condition_parts(rep, form),
                               plain=f"{sympy.sstr(form)}   where {_condition(rep, form)}")))
    if not found.exhaustive:
        items.append((f"{name}: note", "; ".join(found.notes) or "not every case solved"))
    return items, forms


def _condition(rep, form: sympy.Expr) -> str:
    """When the representative's solution is an equilibrium: the corner's slope sign, or
    the interior point inside the interval."""
    low, high = rep.bounds
    slope = sympy.cancel(rep.foc.xreplace({rep.own: form}))
    if form == low:
        return f"{sympy.sstr(slope)} <= 0"
    if form == high:
        return f"{sympy.sstr(slope)} >= 0"
    return f"{sympy.sstr(low)} <= {sympy.sstr(form)} <= {sympy.sstr(high)}"


def _condition_parts(rep, form: sympy.Expr) -> tuple:
    """`_condition` as formulas (for LaTeX)."""
    low, high = rep.bounds
    slope = sympy.cancel(rep.foc.xreplace({rep.own: form}))
    if form == low:
        return (sympy.Le(slope, 0, evaluate=False),)
    if form == high:
        return (sympy.Ge(slope, 0, evaluate=False),)
    return (sympy.Le(low, form, evaluate=False), " and ", sympy.Le(form, high, evaluate=False))


def _exact_values(model: Model) -> dict:
    return {s: sympy.nsimplify(v, rational=True) for s, v in _param_values(model).items()}


def _at_values(expr: sympy.Expr, model: Model):
    return expr.xreplace(_exact_values(model))
